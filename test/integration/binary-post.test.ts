// A multi-MiB binary POST through `wer-sniff relay` as users run it: the relay keeps only its
// first bytes in memory, yet -o has every byte, --json names it by a length and sha256 equal to
// an independent hash, `decode` of the -o file says the same, and --include-bodies still
// gives the whole body inline.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cliStarter, runCli } from '../helpers/cli.js';
import { ndjson } from '../helpers/ndjson.js';
import { countingUpstreams, relayRecorded, sendForCount } from '../helpers/counting-upstream.js';

const start = cliStarter();
const upstream = countingUpstreams();

const body = randomBytes(6 * 1024 * 1024 + 3);
const sha = createHash('sha256').update(body).digest('hex');
const wire = Buffer.concat([Buffer.from(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
type Json = Record<string, any>;
const requestBody = (out: Buffer): Json => ndjson(out).find((e: Json) => e.type === 'request').body;

describe('a 6 MiB binary POST through the relay', () => {
  it('-o has every byte; --json and decode give its size and sha256 and leave the bytes out', async () => {
    const { stdout, file } = await relayRecorded(start, await upstream(), wire, body.length);
    const live = requestBody(stdout);
    expect(live).toMatchObject({ length: body.length, sha256: sha, kind: 'binary', omitted: true, complete: true });
    expect(live.base64).toBeUndefined();
    const decoded = runCli(['decode', file, '--json']);
    expect(decoded.code, decoded.stderr).toBe(0);
    expect(requestBody(decoded.stdout)).toEqual(live);
  });

  it('--include-bodies still gives the whole body inline', async () => {
    const relay = await start(['relay', '--to', `127.0.0.1:${await upstream()}`, '-p', '0', '-b', '127.0.0.1', '--json', '--include-bodies']);
    await sendForCount(relay.port, wire);
    relay.child.kill('SIGINT');
    expect(await relay.exited).toBe(0);
    const inline = requestBody(relay.stdout());
    expect(inline).toMatchObject({ length: body.length, sha256: sha, kind: 'binary' });
    expect(Buffer.from(inline.base64, 'base64').equals(body)).toBe(true);
  });
});
