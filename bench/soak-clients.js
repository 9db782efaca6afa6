// The clients of the soak test (bench/soak.js), each one connection to 127.0.0.1 that records
// exactly the bytes it wrote: `good` sends a level-1 report, reads the answer and PUTs the CAB
// to its DumpFile (built with src/sim, like `wer-sniff simulate`); `malformed` sends one of a
// few broken requests; `abort` stops mid-report with FIN or RST. Loopback only.
import net from 'node:net';
import { makeCab, makeReport } from '../dist/tools/sim/kinds.js';
import { encodeUtf16, writeLevel1Request, writeReportXml } from '../dist/domain/report/report-writer.js';
import { KINDS } from '../dist/tools/sim/kind-names.js';

const HOST = '127.0.0.1';
const TIMEOUT_MS = 15_000;

const MALFORMED = [
  'BAD REQUEST LINE\r\n\r\n',
  'POST /stage2.htm HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
  'POST /stage2.htm HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n',
  'POST /stage2.htm HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 9\r\n\r\nabc',
  '\x16\x03\x01\x00\x31\x01\x00\x00\x2d\x03\x03' + 'r'.repeat(32),
  'GET /../../etc/passwd HTTP/1.1\r\nHost: x\x1b]0;owned\x07\r\n\r\n',
].map((s) => Buffer.from(s, 'latin1'));

/** One connection: `{ port: local port, t: connect time, sent: Buffer, reset, reports, cabs, error? }`. */
export async function runClient(kind, port, n, rand) {
  const sock = net.connect(port, HOST);
  const rec = { port: 0, t: 0, sent: [], reset: false, reports: 0, cabs: 0, error: undefined };
  const reader = makeReader(sock);
  const write = (b) => {
    rec.sent.push(b);
    sock.write(b);
  };
  const timer = setTimeout(() => sock.destroy(new Error('timed out')), TIMEOUT_MS);
  const closed = new Promise((resolve) => sock.once('close', resolve));
  sock.on('error', (err) => (rec.error ??= err.code ?? err.message));
  try {
    await new Promise((resolve, reject) => (sock.once('connect', resolve), sock.once('error', reject)));
    rec.port = sock.localPort;
    rec.t = performance.now();
    const k = KINDS[n % KINDS.length];
    const now = Date.now();
    const report = makeReport(k, now, n);
    const level1 = writeLevel1Request(`${HOST}:${port}`, encodeUtf16(writeReportXml(report)));
    if (kind === 'good') {
      write(level1);
      const answer = await reader.response();
      if (answer.status !== 200) throw new Error(`level 1 answered ${answer.status}`);
      rec.reports++;
      const dump = /^DumpFile=(.*)$/m.exec(answer.body.toString('latin1'))?.[1]?.trim();
      if (dump) {
        const cab = makeCab(k, report, now);
        write(Buffer.concat([Buffer.from(`PUT ${dump} HTTP/1.1\r\nUser-Agent: MSDW\r\nHost: ${HOST}:${port}\r\nContent-Length: ${cab.length}\r\nConnection: Keep-Alive\r\n\r\n`, 'latin1'), cab]));
        if ((await reader.response()).status === 200) rec.cabs++;
      }
      sock.end();
    } else if (kind === 'malformed') {
      write(MALFORMED[n % MALFORMED.length]);
      sock.end();
    } else {
      // Cut anywhere before the end of the XML (so it never decodes as a whole report).
      write(level1.subarray(0, 1 + Math.floor(rand() * (level1.length - 40))));
      await new Promise((r) => setTimeout(r, 50));
      rec.reset = rand() < 0.5;
      if (rec.reset) sock.resetAndDestroy();
      else sock.end();
    }
  } catch (err) {
    rec.error ??= err.message;
    sock.destroy();
  }
  await closed;
  clearTimeout(timer);
  rec.sent = Buffer.concat(rec.sent);
  return rec;
}

/** Reads HTTP responses (Content-Length bodies; 1xx skipped) from a socket. */
function makeReader(sock) {
  let buf = Buffer.alloc(0);
  let wake;
  let ended = false;
  sock.on('data', (b) => ((buf = Buffer.concat([buf, b])), wake?.()));
  sock.on('close', () => ((ended = true), wake?.()));
  const more = () => new Promise((r) => (wake = r));
  return {
    async response() {
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end >= 0) {
          const head = buf.subarray(0, end).toString('latin1');
          const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(head)?.[1]);
          const length = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
          if (buf.length >= end + 4 + length) {
            const body = buf.subarray(end + 4, end + 4 + length);
            buf = buf.subarray(end + 4 + length);
            if (status >= 100 && status < 200) continue;
            return { status, body };
          }
        }
        if (ended) throw new Error('connection closed before the answer');
        await more();
      }
    },
  };
}
