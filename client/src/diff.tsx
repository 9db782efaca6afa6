// Two reports compared field by field by `wer-sniff diff`'s code (served by /api/diff).
import type { DiffReply } from './api';

export function Diff({ d, all, onAll }: { d: DiffReply; all: boolean; onAll(): void }) {
  const rows = all ? d.rows : d.rows.filter((r) => r.status !== 'same');
  return (
    <section class="diff">
      <h3>{`Diff of #${d.a} and #${d.b}: ${d.equal ? 'equal' : `${d.rows.filter((r) => r.status !== 'same').length} fields differ`}`}</h3>
      <p><label><input type="checkbox" checked={all} onClick={onAll} /> also the equal fields</label></p>
      <table>
        <thead><tr><th /><th>field</th><th>{`#${d.a}`}</th><th>{`#${d.b}`}</th></tr></thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i} class={`st-${r.status}`}><td>{r.status}</td><td class="field">{r.field}</td><td>{r.a ?? '—'}</td><td>{r.b ?? '—'}</td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
