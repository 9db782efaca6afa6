// The inspector's page: the list (live through Server-Sent Events), the filter box (the
// --filter language, evaluated by wer-sniff's own code through /api/filter), the bucket view,
// the detail of the chosen exchange and the diff of two picked reports. Preact renders every
// string as a text node; nothing here builds HTML from text.
import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { getBuckets, getDetail, getDiff, getFilter, getRows, live, type BucketsReply, type DetailReply, type DiffReply, type Row, type RowsReply } from './api';
import { List, sortValue, type SortKey } from './list';
import { Detail } from './detail';
import { Buckets } from './buckets';
import { Diff } from './diff';

function App() {
  const rowsRef = useRef(new Map<number, Row>());
  const [version, setVersion] = useState(0);
  const [meta, setMeta] = useState<Pick<RowsReply, 'evicted' | 'session'>>();
  const [sort, setSort] = useState<{ key: SortKey; down: boolean }>({ key: 'id', down: false });
  const [query, setQuery] = useState('');
  const [matching, setMatching] = useState<Set<number>>();
  const [filterError, setFilterError] = useState<string>();
  const [selected, setSelected] = useState<number>();
  const [detail, setDetail] = useState<DetailReply>();
  const [marked, setMarked] = useState<number[]>([]);
  const [diff, setDiff] = useState<DiffReply>();
  const [diffAll, setDiffAll] = useState(false);
  const [buckets, setBuckets] = useState<BucketsReply>();
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();

  const pending = useRef(false);
  const bump = () => {
    if (pending.current) return;
    pending.current = true;
    requestAnimationFrame(() => {
      pending.current = false;
      setVersion((v) => v + 1);
    });
  };
  const upsert = (r: Row) => {
    const had = rowsRef.current.get(r.id);
    if (!had || had.v <= r.v) rowsRef.current.set(r.id, r);
  };
  const reload = async () => {
    try {
      const reply = await getRows();
      rowsRef.current = new Map();
      for (const r of reply.rows) upsert(r);
      setMeta({ evicted: reply.evicted, session: reply.session });
      bump();
    } catch (e) {
      setError(`cannot load the list: ${(e as Error).message}`);
    }
  };
  useEffect(() => {
    void reload();
    return live(
      (r) => { upsert(r); bump(); if (r.id === openDetail.current || r.linked === openDetail.current) void loadDetail(openDetail.current); },
      (n) => { setNotice(`reconnect, ${n} events skipped (the page fell behind); the list was loaded again`); void reload(); },
      () => { setNotice('reconnected; the list was loaded again'); void reload(); },
    );
  }, []);

  // The filter is asked again as rows come in, at most every half second.
  const filterTimer = useRef<number>();
  const runFilter = (q: string) => {
    window.clearTimeout(filterTimer.current);
    if (!q.trim()) {
      setMatching(undefined);
      setFilterError(undefined);
      return;
    }
    filterTimer.current = window.setTimeout(async () => {
      const r = await getFilter(q);
      if (r.error) setFilterError(r.error);
      else {
        setFilterError(undefined);
        setMatching(new Set(r.ids));
      }
    }, 150);
  };
  useEffect(() => { if (query.trim()) runFilter(query); }, [Math.floor(version / 10)]);

  const shown = useMemo(() => {
    const all = [...rowsRef.current.values()].filter((r) => !matching || matching.has(r.id));
    const k = sort.key;
    all.sort((a, b) => {
      const x = sortValue(a, k);
      const y = sortValue(b, k);
      const c = x < y ? -1 : x > y ? 1 : a.id - b.id;
      return sort.down ? -c : c;
    });
    return all;
  }, [version, matching, sort]);

  /** The exchange whose detail is open. When its row or the row linked to it changes (its
   * answer, its findings, its upload and CAB arriving), the detail is fetched again: a report
   * opened while its CAB is still being summarised shows the CAB once it is there. */
  const openDetail = useRef<number>();
  /** Fetches of the detail, counted: only the newest one is shown. */
  const detailFetches = useRef(0);
  const loadDetail = async (id: number | undefined) => {
    if (id === undefined) return;
    const n = ++detailFetches.current;
    try {
      const d = await getDetail(id);
      if (n === detailFetches.current && openDetail.current === id) setDetail(d);
    } catch (e) {
      if (n === detailFetches.current) setError((e as Error).message);
    }
  };
  const select = async (id: number) => {
    setSelected(id);
    setDiff(undefined);
    openDetail.current = id;
    await loadDetail(id);
  };
  const mark = (id: number) => setMarked((m) => (m.includes(id) ? m.filter((x) => x !== id) : [...m, id].slice(-2)));
  const showDiff = async () => {
    if (marked.length !== 2) return;
    try {
      setDiff(await getDiff(marked[0]!, marked[1]!));
      openDetail.current = undefined;
      setDetail(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const toggleBuckets = async () => setBuckets(buckets ? undefined : await getBuckets());

  const ev = meta?.evicted;
  return (
    <div class="app">
      <header>
        <strong>wer-sniff inspector</strong>
        <input class="filter" type="search" placeholder="filter, e.g. event=APPCRASH and machine~WKS-" value={query}
          onInput={(e) => { const q = (e.currentTarget as HTMLInputElement).value; setQuery(q); runFilter(q); }} />
        <span class="count">{`${shown.length} of ${rowsRef.current.size}`}</span>
        <button onClick={() => void toggleBuckets()}>{buckets ? 'hide buckets' : 'buckets'}</button>
        <button class="diff-button" disabled={marked.length !== 2} onClick={() => void showDiff()}>{`diff (${marked.length}/2)`}</button>
        <a href="/api/session.har" download>session HAR</a>
        <a href="/api/session.pcap" download>session pcap</a>
      </header>
      {filterError && <p class="error filter-error">{`filter: ${filterError}`}</p>}
      {notice && <p class="notice" onClick={() => setNotice(undefined)}>{notice}</p>}
      {error && <p class="error" onClick={() => setError(undefined)}>{error}</p>}
      {ev && ev.exchanges > 0 && <p class="dim">{`${ev.exchanges} older exchanges (${ev.reports} reports) are beyond --web-history and only counted`}</p>}
      {meta?.session.capped && <p class="dim">the session files hold the first part of the session only</p>}
      {buckets && <Buckets data={buckets} rows={[...rowsRef.current.values()]} />}
      <List rows={shown} selected={selected} marked={marked} sort={sort} onSelect={(id) => void select(id)} onMark={mark}
        onSort={(k) => setSort((s) => ({ key: k, down: s.key === k ? !s.down : false }))} />
      <main>
        {diff ? <Diff d={diff} all={diffAll} onAll={() => setDiffAll(!diffAll)} /> : detail ? <Detail d={detail} /> : <p class="dim">Pick a line to see its detail; tick two reports and press diff to compare them.</p>}
      </main>
    </div>
  );
}

const root = document.getElementById('app')!;
root.textContent = '';
render(<App />, root);
