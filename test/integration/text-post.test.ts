// A 6 MiB UTF-8 text POST through `wer-sniff relay` as users run it, with a € straddling the
// 1 MiB cut: the relay keeps only its first MiB in memory (all that is decoded of it), yet -o
// has every byte, --json names it by a length and sha256 equal to an independent hash and
// gives the text of its first MiB up to the €, `decode` of the -o file says the same and its
// view shows the cut, and --include-bodies keeps it whole (curl as the client: HAR has every
// byte).
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { cliStarter, runCli } from '../helpers/cli.js';
import { ndjson } from '../helpers/ndjson.js';
import { peer, skipNote } from '../helpers/peers.js';
import { testTempDir } from '../helpers/temp.js';
import { countingUpstreams, relayRecorded } from '../helpers/counting-upstream.js';

const MiB = 1024 * 1024;
const start = cliStarter();
const upstream = countingUpstreams();

/** Log lines to 6 MiB + 3 bytes, a € at bytes MiB − 1 .. MiB + 1 (across the cut). */
function textBody(): Buffer {
  const line = Buffer.from('2026-12-07 10:00:00 widget.exe: Fehler in Modul ä.dll\r\n', 'utf8');
  const lines = (n: number) => Buffer.concat(Array(Math.ceil(n / line.length)).fill(line)).subarray(0, n);
  const before = lines(MiB - 1 - 40);
  const pad = Buffer.from('x'.repeat(MiB - 1 - before.length));
  return Buffer.concat([before, pad, Buffer.from('€', 'utf8'), lines(6 * MiB + 3 - MiB - 2)]);
}

const body = textBody();
const sha = createHash('sha256').update(body).digest('hex');
const wire = Buffer.concat([Buffer.from(`POST /logs/in HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
type Json = Record<string, any>;
const requestBody = (out: Buffer): Json => ndjson(out).find((e: Json) => e.type === 'request').body;
const CUT_NOTE = `decoded the first 1024 KiB of 6.00 MiB (${MiB - 1} of ${body.length} bytes)`;
const KEPT_NOTE = 'text and over 1 MiB: only its first 1.00 MiB kept in memory, the part decoded (--include-bodies keeps it whole)';

describe('a 6 MiB UTF-8 text POST through the relay', () => {
  it('is built as meant: 6 MiB + 3 bytes, a € across the 1 MiB cut', () => {
    expect(body.length).toBe(6 * MiB + 3);
    expect(body.subarray(MiB - 1, MiB + 2).toString('utf8')).toBe('€');
  });

  it('-o has every byte; --json and decode give its size, sha256 and first MiB of text; the view shows the cut', async () => {
    const { stdout, file } = await relayRecorded(start, await upstream(), wire, body.length);
    const live = requestBody(stdout);
    expect(live).toMatchObject({ length: body.length, sha256: sha, kind: 'text', charset: 'utf-8', charsetRule: 'utf8', complete: true, decodedBytes: MiB - 1 });
    expect(live.text).toBe(body.subarray(0, MiB - 1).toString('utf8'));
    expect(live.notes).toEqual([expect.stringContaining(CUT_NOTE), KEPT_NOTE]);
    const decoded = runCli(['decode', file, '--json']);
    expect(decoded.code, decoded.stderr).toBe(0);
    expect(requestBody(decoded.stdout)).toEqual(live);
    const view = runCli(['decode', file, '-vvv']);
    expect(view.code, view.stderr).toBe(0);
    const text = view.stdout.toString('utf8');
    expect(text).toContain(`body ${body.length} bytes · text · utf-8 (valid UTF-8)`);
    expect(text).toContain(`note: ${CUT_NOTE}`);
    expect(text).toContain(KEPT_NOTE);
    expect(text).toContain('widget.exe: Fehler in Modul ä.dll');
  });

  it(`--include-bodies keeps it whole: curl's POST is in the HAR byte for byte, --json has no kept note${skipNote('curl')}`, async () => {
    if (!peer('curl')) return;
    const dir = testTempDir('wer-sniff-text-post-');
    const file = path.join(dir, 'body.txt');
    const har = path.join(dir, 'out.har');
    fs.writeFileSync(file, body);
    const relay = await start(['relay', '--to', `127.0.0.1:${await upstream()}`, '-p', '0', '-b', '127.0.0.1', '--json', '--include-bodies', '--har', har]);
    const c = spawn('curl', ['-sS', '--data-binary', `@${file}`, '-H', 'Content-Type: text/plain', `http://127.0.0.1:${relay.port}/logs/in`]);
    const out: Buffer[] = [];
    c.stdout.on('data', (b: Buffer) => out.push(b));
    const [code] = await once(c, 'close');
    expect(code).toBe(0);
    expect(Buffer.concat(out).toString()).toBe(`got ${body.length}\n`);
    relay.child.kill('SIGINT');
    expect(await relay.exited).toBe(0);
    const whole = requestBody(relay.stdout());
    expect(whole).toMatchObject({ length: body.length, sha256: sha, kind: 'text', charset: 'utf-8', decodedBytes: MiB - 1 });
    expect(whole.text).toBe(body.subarray(0, MiB - 1).toString('utf8'));
    expect(whole.notes).toEqual([expect.stringContaining(CUT_NOTE)]);
    const postData = JSON.parse(fs.readFileSync(har, 'utf8')).log.entries[0].request.postData;
    expect(postData).toMatchObject({ _encoding: 'base64', _sha256: sha });
    expect(Buffer.from(postData.text, 'base64').equals(body)).toBe(true);
  });
});
