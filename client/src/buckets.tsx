// The bucket view: reports grouped by signature (the terminal's bucket table, from the same
// fleet code), each with a small chart of its reports over the time the history covers.
import type { BucketsReply, Row } from './api';

const SLOTS = 30;

function Spark({ counts }: { counts: number[] }) {
  const max = Math.max(1, ...counts);
  return (
    <svg class="spark" width={SLOTS * 4} height={20} viewBox={`0 0 ${SLOTS * 4} 20`} aria-hidden="true">
      {counts.map((c, i) => (c ? <rect key={i} x={i * 4} y={20 - (18 * c) / max} width={3} height={(18 * c) / max} /> : null))}
    </svg>
  );
}

export function Buckets({ data, rows }: { data: BucketsReply; rows: Row[] }) {
  const reports = rows.filter((r) => r.kind === 'report' && r.bucket !== undefined);
  let from = Infinity;
  let to = -Infinity;
  for (const r of reports) {
    from = Math.min(from, r.ts);
    to = Math.max(to, r.ts);
  }
  const span = Math.max(1, to - from + 1);
  const series = new Map<number, number[]>();
  for (const r of reports) {
    let s = series.get(r.bucket!);
    if (!s) series.set(r.bucket!, (s = new Array<number>(SLOTS).fill(0)));
    s[Math.min(SLOTS - 1, Math.floor(((r.ts - from) / span) * SLOTS))]++;
  }
  return (
    <section class="buckets">
      <h3>{`Buckets: ${data.reports} reports in ${data.buckets.length} buckets${data.other ? ` (+${data.other} beyond the bucket limit)` : ''}`}</h3>
      <table>
        <thead><tr><th>count</th><th>over time</th><th>event</th><th>app</th><th>version</th><th>code</th><th>module+offset</th><th>machines</th></tr></thead>
        <tbody>
          {data.buckets.slice(0, 200).map((b, i) => (
            <tr key={i}>
              <td>{String(b.count)}</td><td><Spark counts={series.get(b.index) ?? new Array<number>(SLOTS).fill(0)} /></td>
              <td>{b.event ?? ''}</td><td>{b.app ?? ''}</td><td>{b.version ?? ''}</td><td>{b.code ?? ''}</td>
              <td>{`${b.module ?? ''}${b.offset ? `+${b.offset}` : ''}`}</td><td>{String(b.machines)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
