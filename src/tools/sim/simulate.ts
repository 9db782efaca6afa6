// `wer-sniff simulate`: behaves like a Windows WER client against a CER server — level-1 POST
// of UTF-16LE XML, read the Key=value answer, and when asked (iData=1 + DumpFile) PUT the CAB
// to that path. Prints each step. Proves a server or firewall works before a real crash.
import fs from 'node:fs';
import type { Writable } from 'node:stream';
import { SimClient } from './http-client.js';
import { makeCab, makeReport } from './kinds.js';
import type { CabCompressionName } from '../../domain/cab/cab-writer.js';
import { hasToken } from '../../pipeline/http/head.js';
import type { Kind } from './kind-names.js';
import { encodeUtf16, writeReportXml } from '../../domain/report/report-writer.js';
import { parseLevel1Response } from '../../domain/server/level1-response.js';
import { escapeControl } from '../../util/escape.js';
import { formatSize } from '../../util/size.js';
import { WerSniffError, inWords } from '../../errors.js';
import type { Paint } from '../../render/paint.js';
import { formatAddress } from '../../util/address.js';

export interface SimulateOptions {
  to: { host: string; port: number };
  kinds: Kind[];
  count: number;
  cabFile?: string;
  /** Compression of generated CABs (default MSZIP, as Windows usually sends). */
  compression?: CabCompressionName;
  timeoutMs: number;
  /** Reports come from this many machines in turn (SIM-PC-01 …); default 1. */
  machines?: number;
  out: Writable;
  paint: Paint;
}

export interface SimulateResult {
  reports: number;
  cabsSent: number;
}

export async function simulate(opts: SimulateOptions): Promise<SimulateResult> {
  const p = opts.paint;
  const say = (s: string) => opts.out.write(s + '\n');
  const host = formatAddress(opts.to.host, opts.to.port);
  let customCab: Buffer | undefined;
  if (opts.cabFile) {
    try {
      customCab = fs.readFileSync(opts.cabFile);
    } catch (e) {
      throw new WerSniffError('sim-cab', `cannot read --cab ${opts.cabFile}: ${inWords(e)}`);
    }
  }
  const result: SimulateResult = { reports: 0, cabsSent: 0 };
  for (let n = 1; n <= opts.count; n++) {
    for (const kind of opts.kinds) {
      const now = Date.now();
      const report = makeReport(kind, now, n);
      const machines = opts.machines ?? 1;
      if (machines > 1) report.machine = report.machine.replace(/^SIM-PC-\d+/, `SIM-PC-${String(((n - 1) % machines) + 1).padStart(2, '0')}`);
      const body = encodeUtf16(writeReportXml(report));
      let client = await SimClient.connect(opts.to.host, opts.to.port, opts.timeoutMs);
      try {
        say(`${p.accent(`[${kind} ${n}/${opts.count}]`)} → POST /stage2.htm · ${formatSize(body.length)} UTF-16LE · ${report.event.eventtype} ${report.app?.appname ?? ''}`);
        const headers: [string, string][] = [['User-Agent', 'MSDW'], ['Host', host], ['Connection', 'Keep-Alive']];
        const res = await client.request('POST', '/stage2.htm', headers, body);
        result.reports++;
        const answer = parseLevel1Response(res.body.toString('latin1'));
        const lines = answer.entries.map((e) => `${e.key}=${e.value}`).join(', ');
        say(`  ← ${res.head.status} ${escapeControl(res.head.reason, p)} · ${escapeControl(lines || '(empty body)', p)}`);
        if (res.head.status !== 200) {
          say(p.warn(`  the server did not answer 200; Windows would keep the report queued`));
          continue;
        }
        const dumpFile = answer.values.DumpFile;
        if (answer.values.iData !== '1' || !dumpFile) {
          say(p.dim(`  no iData=1 with a DumpFile: a Windows client stops after level 1`));
          continue;
        }
        const cab = customCab ?? makeCab(kind, report, now, opts.compression);
        say(`  → PUT ${escapeControl(dumpFile, p)} · ${formatSize(cab.length)} CAB`);
        // Like the Windows client, carry on over a new connection when the server closed the
        // one level 1 used (Connection: close, or simply a FIN after its answer).
        if (client.closed || hasToken(res.head.headers, 'connection', 'close')) {
          client.close();
          say(p.dim('  (the server closed the connection after level 1; reconnecting for level 2)'));
          client = await SimClient.connect(opts.to.host, opts.to.port, opts.timeoutMs);
        }
        const put = await client.request('PUT', dumpFile, headers, cab);
        say(`  ← ${put.head.status} ${escapeControl(put.head.reason, p)}${put.head.status === 200 ? p.ok(' · level 2 complete') : p.warn(' · the upload was not accepted')}`);
        if (put.head.status === 200) result.cabsSent++;
      } finally {
        client.close();
      }
    }
  }
  return result;
}
