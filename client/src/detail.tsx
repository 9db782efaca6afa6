// The detail of one exchange: crash summary, findings with their MS-CER2 sections and fixes,
// request and answer (pretty, raw, hex), the answer explained, the CAB (listing with a download
// per file, minidumps, text files), problems and downloads. Everything from the wire is text.
import { useState } from 'preact/hooks';
import type { DetailReply } from './api';
import type { BodyJson, MessageJson } from '../../src/web/api-types';
import { cabUrl, fileUrl, requestUrl } from './api';
import { Minidump } from './minidump';
import { size, time } from './format';

function Lines({ lines, cls }: { lines: string[]; cls?: string }) {
  return <pre class={cls}>{lines.join('\n')}</pre>;
}

function Body({ body }: { body: BodyJson }) {
  const views = (['pretty', 'raw', 'hex'] as const).filter((k) => body[k]);
  const [view, setView] = useState<(typeof views)[number] | undefined>(views[0]);
  const shown = view && body[view] ? view : views[0];
  return (
    <div class="body">
      <p class="dim">{`${size(body.size)} · ${body.kind ?? 'not decoded'}${body.charset ? ` · ${body.charset}` : ''} · sha256 ${body.sha256}${body.complete ? '' : ' · INCOMPLETE'}`}</p>
      {body.notes.map((n, i) => <p key={i} class="note">{n}</p>)}
      {views.length > 1 && (
        <p class="tabs">{views.map((k) => <button key={k} class={k === shown ? 'on' : ''} onClick={() => setView(k)}>{k}</button>)}</p>
      )}
      {shown && <Lines lines={body[shown]!} cls={`view-${shown}`} />}
      {body.moreLines ? <p class="dim">{`… ${body.moreLines} more lines`}</p> : null}
    </div>
  );
}

function Message({ title, m }: { title: string; m: MessageJson }) {
  return (
    <section class="message">
      <h3>{title}</h3>
      <p class="line">{m.line}</p>
      <table class="headers"><tbody>{m.headers.map(([k, v], i) => <tr key={i}><th>{k}</th><td>{v}</td></tr>)}</tbody></table>
      <Body body={m.body} />
    </section>
  );
}

export function Detail({ d }: { d: DetailReply }) {
  const r = d.row;
  const cabId = d.cabFrom ?? r.id;
  return (
    <div class="detail" data-id={String(r.id)}>
      <h2>{`${r.kind === 'report' ? 'Report' : r.kind === 'upload' ? 'Upload' : 'Exchange'} ${r.reportId ?? ''} · ${r.method} ${r.status ?? '(no answer)'}`}</h2>
      <p class="dim">{`${time(r.ts)} · connection ${r.conn} #${r.seq} · from ${r.peer} to ${d.local}${d.upstream ? ` → ${d.upstream}` : ''}`}</p>
      {(r.machine || r.event) && (
        <p class="facts">
          <span class="k">machine</span> <span class="machine">{r.machine ?? ''}</span>
          <span class="k">event</span> <span>{r.event ?? ''}</span>
          <span class="k">app</span> <span>{r.app ?? ''}</span>
          <span class="k">exception</span> <span class="exception-code">{r.exception ?? ''}</span>
        </p>
      )}
      {d.dropped && <p class="warn">{d.dropped}</p>}
      <p class="downloads">
        {d.downloads.request && <a href={requestUrl(r.id)} download>request as sent</a>}
        {d.downloads.cab && <a href={cabUrl(cabId)} download>the CAB</a>}
      </p>
      {d.summary && <section><h3>Crash summary</h3><Lines lines={d.summary} /></section>}
      <section class="findings">
        <h3>{`Findings (${d.findings.length})`}</h3>
        {d.findings.length === 0 ? <p class="dim">none</p> : (
          <table>
            <thead><tr><th>severity</th><th>rule</th><th>MS-CER2</th><th>what is wrong</th><th>what to change</th><th>stage</th></tr></thead>
            <tbody>{d.findings.map((f, i) => <tr key={i} class={`sev-${f.severity}`}><td>{f.severity}</td><td>{f.rule}</td><td>{f.section}</td><td>{f.message}</td><td>{f.fix}</td><td>{f.stage}</td></tr>)}</tbody>
          </table>
        )}
      </section>
      {d.cab && (
        <section class="cab">
          <h3>CAB</h3>
          <table class="cab-files">
            <thead><tr><th>#</th><th>name</th><th>size</th><th>date</th><th>kind</th><th /></tr></thead>
            <tbody>
              {d.cab.files.map((f) => (
                <tr key={f.index}>
                  <td>{String(f.index)}</td><td class="cab-name">{f.name}</td><td>{size(f.size)}</td><td>{f.date}</td>
                  <td>{f.error ? `${f.kind ?? ''} (${f.error})` : f.kind ?? ''}</td>
                  <td><a href={fileUrl(cabId, f.index)} download>download</a></td>
                </tr>
              ))}
            </tbody>
          </table>
          {d.cab.minidumps.map((m, i) => <Minidump key={i} name={m.name} sum={m.summary} />)}
          {d.cab.texts.map((t) => (
            <section key={t.index} class="text-file">
              <h4>{`${t.name} · ${t.charset} · ${t.totalLines} lines`}</h4>
              <Lines lines={t.lines} />
            </section>
          ))}
          <details><summary>the terminal's CAB view</summary><Lines lines={d.cab.lines} /></details>
        </section>
      )}
      {d.request && <Message title="Request" m={d.request} />}
      {d.answer && <section><h3>The answer, explained</h3><Lines lines={d.answer} /></section>}
      {d.response && <Message title="Response" m={d.response} />}
      {d.problems.length > 0 && (
        <section><h3>Problems</h3>{d.problems.map((p, i) => <p key={i} class="warn">{`${p.code}: ${p.message}`}</p>)}</section>
      )}
    </div>
  );
}
