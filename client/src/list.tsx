// The list: one line per exchange, sortable columns, only the visible lines in the DOM (a
// history of 10,000 exchanges renders as fast as 30). Every cell is text.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Row } from './api';
import { size, time } from './format';

export const ROW_HEIGHT = 24;

export type SortKey = 'id' | 'conn' | 'machine' | 'event' | 'app' | 'exception' | 'status' | 'size' | 'findings';

export const COLUMNS: { key: SortKey; title: string }[] = [
  { key: 'id', title: 'time' }, { key: 'conn', title: 'conn' }, { key: 'machine', title: 'machine' },
  { key: 'event', title: 'event' }, { key: 'app', title: 'app' }, { key: 'exception', title: 'exception' },
  { key: 'status', title: 'status' }, { key: 'size', title: 'size' }, { key: 'findings', title: 'findings' },
];

function findingsText(r: Row): string {
  const f = r.findings;
  const parts: string[] = [];
  if (f.error) parts.push(`${f.error} error${f.error === 1 ? '' : 's'}`);
  if (f.warning) parts.push(`${f.warning} warning${f.warning === 1 ? '' : 's'}`);
  if (f.note) parts.push(`${f.note} note${f.note === 1 ? '' : 's'}`);
  return parts.join(', ');
}

export function sortValue(r: Row, k: SortKey): string | number {
  switch (k) {
    case 'findings': return r.findings.error * 1e6 + r.findings.warning * 1e3 + r.findings.note;
    case 'status': return r.status ?? -1;
    case 'machine': case 'event': case 'app': case 'exception': return (r[k] ?? '').toLowerCase();
    default: return r[k];
  }
}

interface ListProps {
  rows: Row[];
  selected?: number;
  marked: number[];
  sort: { key: SortKey; down: boolean };
  onSort(k: SortKey): void;
  onSelect(id: number): void;
  onMark(id: number): void;
}

export function List(p: ListProps) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(600);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setHeight(el.clientHeight || 600);
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, []);
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - 10);
  const last = Math.min(p.rows.length, Math.ceil((top + height) / ROW_HEIGHT) + 10);
  const visible = p.rows.slice(first, last);
  return (
    <div class="list">
      <div class="row head">
        <span class="c-mark" />
        {COLUMNS.map((c) => (
          <span key={c.key} class={`c-${c.key} sortable`} onClick={() => p.onSort(c.key)} title={`sort by ${c.title}`}>
            {c.title}{p.sort.key === c.key ? (p.sort.down ? ' ▼' : ' ▲') : ''}
          </span>
        ))}
      </div>
      <div class="rows" ref={box} onScroll={(e) => setTop((e.currentTarget as HTMLDivElement).scrollTop)}>
        <div style={{ height: `${p.rows.length * ROW_HEIGHT}px`, position: 'relative' }}>
          {visible.map((r, i) => (
            <div
              key={r.id}
              class={`row data kind-${r.kind}${r.id === p.selected ? ' selected' : ''}${r.findings.error ? ' has-errors' : ''}`}
              style={{ top: `${(first + i) * ROW_HEIGHT}px` }}
              data-id={String(r.id)}
              onClick={() => p.onSelect(r.id)}
            >
              <span class="c-mark">
                <input type="checkbox" title="pick for diff" checked={p.marked.includes(r.id)}
                  onClick={(e) => { e.stopPropagation(); p.onMark(r.id); }} />
              </span>
              <span class="c-id">{time(r.ts)}</span>
              <span class="c-conn">{`${r.conn}#${r.seq}`}</span>
              <span class="c-machine">{r.machine ?? ''}</span>
              <span class="c-event">{r.event ?? (r.kind === 'other' ? `${r.method} ${r.target}` : '')}</span>
              <span class="c-app">{r.app ?? ''}</span>
              <span class="c-exception">{r.exception ?? ''}</span>
              <span class="c-status">{r.status === undefined ? '…' : String(r.status)}</span>
              <span class="c-size">{(r.kind === 'upload' ? 'CAB ' : '') + size(r.size)}</span>
              <span class="c-findings">{findingsText(r)}</span>
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
