// A text request body over 1 MiB through the Recorder (the path listen, relay and decode
// share): kept by its first MiB by default (all that is decoded of it), whole with
// `wholeBodies`. Its decoding, --json and HAR are those of the whole body (plus a note saying
// which part is kept), and the human view and the web detail show it as text with that note.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { CaptureEvent, Exchange } from '../../../src/model.js';
import { Recorder } from '../../../src/pipeline/recorder.js';
import { WHOLE_BODY_BYTES } from '../../../src/pipeline/http/body-assembler.js';
import { VIEW_DECODE_BYTES } from '../../../src/domain/body/views.js';
import { decodedOf } from '../../../src/domain/body/message.js';
import { toJsonEvents } from '../../../src/sinks/ndjson.js';
import { toHarEntry } from '../../../src/sinks/har-entry.js';
import { formatEvent } from '../../../src/sinks/pretty.js';
import { buildDetail } from '../../../src/web/detail.js';
import type { WebRecord } from '../../../src/web/history.js';
import { RedactLearner } from '../../../src/sinks/redact-learner.js';
import { Pseudonyms } from '../../../src/analysis/redact/pseudonyms.js';
import { T0, makeConnection } from '../../helpers/factories.js';
import { plain } from '../output/paints.js';

const MiB = 1024 * 1024;
const post = (body: Buffer, type = 'text/plain'): Buffer =>
  Buffer.concat([Buffer.from(`POST /logs/in HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
const OK = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', 'latin1');

/** Log lines in UTF-8 to `n` bytes, with a € (3 bytes) from byte MiB − 1 to MiB + 1. */
function utf8Log(n: number): Buffer {
  const line = Buffer.from('2026-12-07 app.exe: Fehler in Modul ä.dll\n', 'utf8');
  const before = Buffer.concat(Array(Math.ceil(MiB / line.length)).fill(line)).subarray(0, MiB - 1);
  const head = Buffer.concat([before.subarray(0, before.lastIndexOf(0x0a) + 1), Buffer.from('x'.repeat(MiB - 2 - before.lastIndexOf(0x0a)))]);
  const rest = Buffer.concat(Array(Math.ceil(n / line.length)).fill(line));
  return Buffer.concat([head, Buffer.from('€', 'utf8'), rest]).subarray(0, n);
}

async function record(client: Buffer, wholeBodies = false): Promise<CaptureEvent[]> {
  const events: CaptureEvent[] = [];
  const rec = new Recorder({ sinks: [{ event: (e) => void events.push(e), close: async () => {} }], now: () => T0, wholeBodies });
  const c = rec.open(makeConnection());
  for (let i = 0; i < client.length; i += 65_536) c.push('client', client.subarray(i, i + 65_536));
  c.push('server', OK);
  c.close();
  await rec.close();
  return events.filter((e) => e.type === 'request' || e.type === 'response');
}
const exchangeOf = (events: CaptureEvent[]): Exchange => (events[0] as Extract<CaptureEvent, { type: 'request' }>).exchange;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const KEPT_NOTE = 'text and over 1 MiB: only its first 1.00 MiB kept in memory, the part decoded (--include-bodies keeps it whole)';

describe('a text request body over 1 MiB', () => {
  const body = utf8Log(3 * MiB + 5);

  test('the body straddles the cut as meant: a € from byte MiB − 1', () => {
    expect(body.subarray(MiB - 1, MiB + 2).toString('utf8')).toBe('€');
    expect(VIEW_DECODE_BYTES).toBe(WHOLE_BODY_BYTES); // the part kept is all a view decodes
  });

  test('keeps its first MiB; length and sha256 are those of all of it; decoded as all of it', async () => {
    const part = exchangeOf(await record(post(body))).request!;
    const whole = exchangeOf(await record(post(body), true)).request!;
    expect(part.body.data).toBeUndefined();
    expect(part.body.headOnly).toBe(true);
    expect(part.body.head.equals(body.subarray(0, VIEW_DECODE_BYTES))).toBe(true);
    expect([part.body.length, part.body.sha256, part.body.complete]).toEqual([body.length, sha(body), true]);
    expect(whole.body.data?.equals(body)).toBe(true);
    expect(decodedOf(part)).toEqual(decodedOf(whole));
    expect(decodedOf(part)).toMatchObject({ kind: 'text', charset: { name: 'utf-8', rule: 'utf8' }, cut: { decodedBytes: MiB - 1, totalBytes: body.length } });
  });

  test('--json gives what it gives for the body kept whole, and a note says which part is kept', async () => {
    const wire = post(body);
    const json = (evs: CaptureEvent[]) => JSON.parse(JSON.stringify(evs.flatMap((e) => toJsonEvents(e, MiB)))) as { type: string; body: Record<string, unknown> }[];
    const part = json(await record(wire));
    const whole = json(await record(wire, true));
    const partBody = part.find((e) => e.type === 'request')!.body;
    const wholeBody = whole.find((e) => e.type === 'request')!.body;
    expect(partBody).toMatchObject({ kind: 'text', length: body.length, sha256: sha(body), charset: 'utf-8', decodedBytes: MiB - 1 });
    expect(partBody.text).toBe(body.subarray(0, MiB - 1).toString('utf8'));
    expect(partBody.notes).toEqual([...(wholeBody.notes as string[]), KEPT_NOTE]);
    expect({ ...partBody, notes: [] }).toEqual({ ...wholeBody, notes: [] });
    expect(part.filter((e) => e.type !== 'request')).toEqual(whole.filter((e) => e.type !== 'request'));
  });

  test('HAR names it by size and sha256, as when kept whole', async () => {
    const part = toHarEntry(exchangeOf(await record(post(body))));
    expect(part).toEqual(toHarEntry(exchangeOf(await record(post(body), true))));
    expect(part.request.postData).toMatchObject({ _size: body.length, _omitted: true, _sha256: sha(body), _kind: 'text' });
    // Where the HAR would inline it, it says what is kept instead.
    const inlined = toHarEntry(exchangeOf(await record(post(body))), { inlineMax: 64 * MiB });
    expect(inlined.request.postData.comment).toContain(`left out: ${KEPT_NOTE}`);
  });

  test('the human view shows it as text with the cut and kept notes, the same lines as when kept whole otherwise', async () => {
    const [partReq] = await record(post(body));
    const [wholeReq] = await record(post(body), true);
    const view = (ev: CaptureEvent, over = {}) => formatEvent(ev, { paint: plain, hexDump: false, times: false, ...over });
    const lines = view(partReq!);
    const text = lines.join('\n');
    expect(text).toContain(`body ${body.length} bytes · text · utf-8 (valid UTF-8) ·`);
    expect(text).toContain(`note: decoded the first 1024 KiB of 3.00 MiB (${MiB - 1} of ${body.length} bytes)`);
    expect(text).toContain(KEPT_NOTE);
    expect(text).toContain('2026-12-07 app.exe: Fehler in Modul ä.dll');
    expect(lines.filter((l) => !l.includes(KEPT_NOTE))).toEqual(view(wholeReq!));
    for (const over of [{ hexDump: true }, { verbosity: 2 }]) {
      expect(view(partReq!, over).filter((l) => !l.includes(KEPT_NOTE))).toEqual(view(wholeReq!, over));
      expect(view(partReq!, over).join('\n')).toContain(KEPT_NOTE);
    }
  });

  test('the web detail shows its text and says which part is held', async () => {
    const ex = exchangeOf(await record(post(body)));
    const detail = buildDetail({ row: { dropped: false } as WebRecord['row'], exchange: ex, held: 0, findings: [] });
    const b = detail.request!.body;
    expect(b).toMatchObject({ kind: 'text', size: body.length, sha256: sha(body) });
    expect(b.hex).toBeUndefined();
    expect(b.raw![0]).toBe('2026-12-07 app.exe: Fehler in Modul ä.dll');
    expect(b.notes).toContain(KEPT_NOTE);
  });

  test('--redact learns the names in the part kept, which is what the view shows', async () => {
    const names = new Pseudonyms();
    const secret = Buffer.concat([Buffer.from('copied from \\\\FILESRV9\\logs\\a.log\n'), body]);
    for (const ev of await record(post(secret))) new RedactLearner(names).event(ev);
    expect(names.redact('FILESRV9')).toBe('machine-1');
  });

  test('UTF-16 text is kept by its first MiB too, and decoded as all of it', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<LOG>Сбой приложения</LOG>\r\n'.repeat(60_000), 'utf16le')]);
    const part = exchangeOf(await record(post(utf16, 'application/xml'))).request!;
    const whole = exchangeOf(await record(post(utf16, 'application/xml'), true)).request!;
    expect([part.body.headOnly, part.body.head.length, part.body.sha256]).toEqual([true, VIEW_DECODE_BYTES, sha(utf16)]);
    expect(decodedOf(part)).toEqual(decodedOf(whole));
    expect(decodedOf(part)).toMatchObject({ kind: 'text', charset: { name: 'utf-16le', rule: 'bom' } });
  });
});
