// A minidump's summary: the exception, the crashing thread's stack, modules with their debug
// identifiers (PDB, GUID, age, symbol-server key) and threads. Text only.
import type { MinidumpSummary } from '../../src/domain/minidump/types';

export function Minidump({ name, sum }: { name: string; sum: MinidumpSummary }) {
  const ex = sum.exception;
  return (
    <section class="minidump">
      <h4>{`minidump ${name}`}</h4>
      {sum.system && <p>{`${sum.system.arch} ×${sum.system.processors} · Windows ${sum.system.os.major}.${sum.system.os.minor}.${sum.system.os.build}`}</p>}
      {ex && (
        <p class="exception">
          <b>{ex.codeName ?? `0x${ex.code}`}</b>
          {` (0x${ex.code}) at ${ex.address}`}
          {ex.module ? ` in ${ex.module.name}+${ex.module.offset}` : ''}
          {ex.access ? ` · ${ex.access.kind} of ${ex.access.address}` : ''}
          {` · thread ${ex.threadId}`}
        </p>
      )}
      {sum.stack && (
        <table class="frames">
          <caption>{`stack of thread ${sum.stack.threadId}`}</caption>
          <thead><tr><th>#</th><th>frame</th><th>address</th><th>found by</th></tr></thead>
          <tbody>{sum.stack.frames.map((f, i) => <tr key={i}><td>{String(i)}</td><td>{f.text}</td><td>{f.address}</td><td>{f.trust}</td></tr>)}</tbody>
        </table>
      )}
      <table class="modules">
        <caption>{`modules (${sum.moduleCount ?? sum.modules.length})`}</caption>
        <thead><tr><th>name</th><th>base</th><th>size</th><th>version</th><th>PDB</th><th>debug id</th><th>code id</th></tr></thead>
        <tbody>
          {sum.modules.map((m, i) => (
            <tr key={i}>
              <td>{m.name}</td><td>{m.base}</td><td>{String(m.size)}</td><td>{m.version ?? ''}</td>
              <td>{m.debug?.pdb ?? ''}</td><td>{m.debug ? `${m.debug.guid}${m.debug.age.toString(16).toUpperCase()}` : ''}</td><td>{m.codeId}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {sum.threads && (
        <table class="threads">
          <caption>{`threads (${sum.threadCount ?? sum.threads.length})`}</caption>
          <thead><tr><th>id</th><th>name</th><th>priority</th><th>suspended</th><th>stack</th></tr></thead>
          <tbody>{sum.threads.map((t, i) => <tr key={i}><td>{String(t.id)}</td><td>{t.name ?? ''}</td><td>{String(t.priority)}</td><td>{String(t.suspendCount)}</td><td>{t.stack ? `${t.stack.start} (${t.stack.size} B)` : ''}</td></tr>)}</tbody>
        </table>
      )}
      {sum.problems.map((p, i) => <p key={i} class="warn">{`${p.code}: ${p.message}`}</p>)}
    </section>
  );
}
