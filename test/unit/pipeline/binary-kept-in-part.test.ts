// A binary request body over 1 MiB through the Recorder (the path listen, relay and decode
// share): kept only in part by default, whole with `wholeBodies`; --json and HAR say the same
// of it either way, and the human view says that only its beginning was kept.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { CaptureEvent, Exchange } from '../../../src/model.js';
import { Recorder } from '../../../src/pipeline/recorder.js';
import { PART_KEPT_BYTES, WHOLE_BODY_BYTES } from '../../../src/pipeline/http/body-assembler.js';
import { INLINE_BODY_BYTES } from '../../../src/sinks/har-entry.js';
import { DEFAULT_MAX_HEX_BYTES } from '../../../src/render/format-body.js';
import { MAX_HEX_BYTES } from '../../../src/web/detail.js';
import { toJsonEvents } from '../../../src/sinks/ndjson.js';
import { toHarEntry } from '../../../src/sinks/har-entry.js';
import { formatEvent } from '../../../src/sinks/pretty.js';
import { T0, makeConnection } from '../../helpers/factories.js';
import { plain } from '../output/paints.js';
import { checkBytes, report } from '../../helpers/crafted.js';
import { readVector } from '../../helpers/paths.js';

const MiB = 1024 * 1024;
/** Bytes with NULs and every other value: binary to the decoder. */
const binary = (n: number): Buffer => {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + (i >> 9)) & 0xff;
  return out;
};
const post = (target: string, body: Buffer, type = 'application/octet-stream'): Buffer =>
  Buffer.concat([Buffer.from(`POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
const OK = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', 'latin1');

/** Requests and responses of one connection carrying `client` (in 64 KiB reads) and `server`. */
async function record(client: Buffer, server: Buffer, wholeBodies = false): Promise<CaptureEvent[]> {
  const events: CaptureEvent[] = [];
  const rec = new Recorder({ sinks: [{ event: (e) => void events.push(e), close: async () => {} }], now: () => T0, wholeBodies });
  const c = rec.open(makeConnection());
  for (let i = 0; i < client.length; i += 65_536) c.push('client', client.subarray(i, i + 65_536));
  c.push('server', server);
  c.close();
  await rec.close();
  return events.filter((e) => e.type === 'request' || e.type === 'response');
}
const exchangeOf = (events: CaptureEvent[]): Exchange => (events[0] as Extract<CaptureEvent, { type: 'request' }>).exchange;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('a binary request body over 1 MiB', () => {
  test('what is kept covers what the outputs show: the inline limit whole, the hexdumps in part', () => {
    expect(WHOLE_BODY_BYTES).toBeGreaterThanOrEqual(INLINE_BODY_BYTES);
    expect(PART_KEPT_BYTES).toBeGreaterThanOrEqual(Math.max(DEFAULT_MAX_HEX_BYTES, MAX_HEX_BYTES));
  });

  test('keeps its first 64 KiB; length and sha256 are those of all of it', async () => {
    const body = binary(3 * MiB + 5);
    const ex = exchangeOf(await record(post('/upload', body), OK));
    const b = ex.request!.body;
    expect(b.data).toBeUndefined();
    expect(b.headOnly).toBe(true);
    expect(b.head.equals(body.subarray(0, PART_KEPT_BYTES))).toBe(true);
    expect([b.length, b.sha256, b.complete]).toEqual([body.length, sha(body), true]);
  });

  test('--json and HAR give the same for it as when it is kept whole', async () => {
    const wire = post('/upload', binary(2 * MiB));
    const part = await record(wire, OK);
    const whole = await record(wire, OK, true);
    expect(exchangeOf(whole).request!.body.data?.length).toBe(2 * MiB);
    const json = (evs: CaptureEvent[]) => JSON.parse(JSON.stringify(evs.flatMap((e) => toJsonEvents(e, MiB)))) as unknown;
    expect(json(part)).toEqual(json(whole));
    const bodyJson = (json(part) as { type: string; body: Record<string, unknown> }[]).find((e) => e.type === 'request')!.body;
    expect(bodyJson).toMatchObject({ kind: 'binary', length: 2 * MiB, omitted: true });
    expect(toHarEntry(exchangeOf(part))).toEqual(toHarEntry(exchangeOf(whole)));
  });

  test('the human view shows it as binary, says only its beginning was kept, and hexdumps that', async () => {
    const body = binary(2 * MiB);
    const [req] = await record(post('/upload', body), OK);
    const text = formatEvent(req!, { paint: plain, hexDump: false, times: false }).join('\n');
    expect(text).toContain(`body ${2 * MiB} bytes · binary ·`);
    expect(text).toContain('binary and over 1 MiB: only its first 64.0 KiB kept in memory (--include-bodies keeps it whole); first 65536 bytes:');
    expect(text).toMatch(/^ *00000000 {2}00 07 0e 15 /m);
    expect(text).toContain(`… ${2 * MiB - PART_KEPT_BYTES} more bytes not kept`);
    expect(text).toContain(`${2 * MiB} bytes, sha256 ${sha(body)}`);
    const x = formatEvent(req!, { paint: plain, hexDump: true, times: false }).join('\n');
    expect(x).toMatch(/^ *0000fff0 {2}/m); // -x: the whole 64 KiB kept
    const summary = formatEvent(req!, { paint: plain, hexDump: false, times: false, verbosity: 2 }).join('\n');
    expect(summary).toContain('only its first 64.0 KiB kept in memory');
  });

  test('kept whole: a level-1 report, a CAB, and every response (text: text-kept-in-part.test.ts)', async () => {
    const cab = Buffer.concat([Buffer.from('MSCF', 'latin1'), binary(2 * MiB)]);
    for (const [target, body] of [['/stage2.htm', binary(2 * MiB)], ['/upload', cab]] as const) {
      const ex = exchangeOf(await record(post(target, body), OK));
      expect(ex.request!.body.data?.equals(body), `${target} ${body.subarray(0, 4).toString('hex')}`).toBe(true);
    }
    const big = binary(2 * MiB);
    const answer = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`, 'latin1'), big]);
    const events = await record(Buffer.from('GET /x HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'), answer);
    expect(exchangeOf(events).response!.body.data?.equals(big)).toBe(true);
  });

  test('a binary upload that is not a CAB is still found out by the checks (put-not-cab)', () => {
    const answer = readVector('level1-response-level2.http');
    const dump = /DumpFile=(.*)\r\n/.exec(answer.toString('latin1'))![1]!;
    const body = binary(2 * MiB);
    const put = Buffer.concat([Buffer.from(`PUT ${dump} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
    const [checked] = checkBytes(Buffer.concat([report(), answer, put]));
    const notCab = checked!.findings.find((f) => f.rule === 'put-not-cab');
    expect(notCab?.message).toContain(`(${body.length} bytes, binary) is not a CAB`);
  });
});
