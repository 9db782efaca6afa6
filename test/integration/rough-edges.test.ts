// Issue 14 §4, one test per rough edge: simulate's timeout and exit codes, relay's start-up
// notice, cab --extract refusing to overwrite, setup --undo --reg-file, diff ignoring the
// generated DumpFile, system errors in words, and the nc habits of listen.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliStarter, runCli } from '../helpers/cli.js';
import { runCliAsync } from '../helpers/run-async.js';
import { vectorPath } from '../helpers/paths.js';

const start = cliStarter();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-edges-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A server that accepts and never answers (like `nc -l`). */
async function silentServer(): Promise<{ port: number; close(): void }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => { for (const s of sockets) s.destroy(); server.close(); } };
}

describe('simulate', () => {
  it('--timeout covers the wait for an answer: a server that never answers is exit 4, in words', async () => {
    const srv = await silentServer();
    try {
      const t0 = Date.now();
      const r = await runCliAsync(['simulate', '--to', `127.0.0.1:${srv.port}`, '--timeout', '500ms']);
      expect(Date.now() - t0).toBeLessThan(8000);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/accepted the connection but sent no answer within 500 ms/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      srv.close();
    }
  }, 20_000);

  it('--to defaults to 127.0.0.1:1273 (help says so)', () => {
    expect(runCli(['simulate', '--help']).stdout.toString()).toMatch(/--to <host:port>[\s\S]*default:\s+127\.0\.0\.1:1273/);
  });
});

describe('relay', () => {
  it('says at start-up when the upstream cannot be reached, and keeps listening', async () => {
    const srv = await silentServer();
    const port = srv.port;
    srv.close(); // now nothing listens there
    const relay = await start(['relay', '--to', `127.0.0.1:${port}`, '-p', '0', '-b', '127.0.0.1', '--connect-timeout', '2s']);
    for (let i = 0; i < 50 && !/cannot be reached/.test(relay.stderr()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(relay.stderr()).toMatch(/upstream 127\.0\.0\.1:\d+ cannot be reached now \(connection refused \(ECONNREFUSED\)\); listening anyway/);
    expect(relay.child.exitCode).toBeNull();
    relay.child.kill('SIGINT');
    expect(await relay.exited).toBe(0);
  });

  it('help shows durations and sizes in units', () => {
    const help = runCli(['relay', '--help']).stdout.toString();
    expect(help).toMatch(/--connect-timeout <time>[\s\S]*?default: 10s/);
    expect(help).toMatch(/--max-body-bytes <size>[\s\S]*?default: 64MiB/);
    expect(runCli(['replay', '--help']).stdout.toString()).toMatch(/default: 30s/);
  });
});

describe('cab --extract', () => {
  it('into a folder that already holds the files: a refusal (exit 2), --force overwrites', () => {
    const dir = path.join(tmp, 'x');
    const cab = vectorPath('sample-report.cab');
    expect(runCli(['cab', cab, '--extract', dir]).code).toBe(0);
    const again = runCli(['cab', cab, '--extract', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds .* — nothing extracted; give an empty folder, or --force to overwrite/);
    expect(runCli(['cab', cab, '--extract', dir, '--force']).code).toBe(0);
  });
});

describe('setup --undo --reg-file', () => {
  it('writes a .reg that deletes the values', () => {
    const file = path.join(tmp, 'undo.reg');
    const r = runCli(['setup', '--server', 'x', '--undo', '--tls', '--reg-file', file]);
    expect(r.code).toBe(0);
    const text = fs.readFileSync(file).subarray(2).toString('utf16le');
    expect(text).toContain('"CorporateWERServer"=-');
    expect(text).toContain('"CorporateWERPortNumber"=-');
    expect(text).toContain('"CorporateWERUseSSL"=-');
    expect(text).not.toMatch(/dword:/);
  });
});

describe('error messages in words', () => {
  it('a folder where a file is wanted: "is a folder"', () => {
    const r = runCli(['listen', '-p', '0', '-o', tmp]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is a folder \(EISDIR\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an unknown host: "no such host"', async () => {
    const r = await runCliAsync(['simulate', '--to', 'no-such-host.invalid:1273', '--timeout', '5s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no such host \(ENOTFOUND\)|could not be looked up/);
  });
});

describe('nc habits', () => {
  it('listen 0 (a positional port), -l and -k are accepted; -6 binds IPv6; -4 with -6 is refused', async () => {
    const a = await start(['listen', '0', '-l', '-k', '-b', '127.0.0.1']);
    expect(a.port).toBeGreaterThan(0);
    a.child.kill('SIGINT');
    expect(await a.exited).toBe(0);
    const help = runCli(['listen', '--help']).stdout.toString();
    expect(help).toMatch(/-k\s+accepted and ignored: listen keeps\s+accepting\s+connections\s+anyway/);
    const six = await start(['listen', '-p', '0', '-6']).catch(() => undefined); // a host without IPv6 cannot
    if (six) {
      expect(six.stderr()).toMatch(/listening on \[::\]:\d+/);
      six.child.kill('SIGINT');
      await six.exited;
    }
    const both = runCli(['listen', '-4', '-6']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/-4 and -6/);
  });
});

describe('diff', () => {
  it('two reports of the same crash are equal: the generated DumpFile GUID is ignored by default', async () => {
    const dir = path.join(tmp, 'saved');
    const cli = await start(['listen', '-p', '0', '-b', '127.0.0.1', '-q', '--save-dir', dir]);
    expect((await runCliAsync(['simulate', '--to', `127.0.0.1:${cli.port}`, '--kind', 'hang', '--count', '2'])).code).toBe(0);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    const [a, b] = fs.readdirSync(dir).sort().map((d) => path.join(dir, d));
    const same = runCli(['diff', '--color', 'never', a!, b!]);
    expect(same.stdout.toString()).toMatch(/^equal \(ignoring report\.EVENTINFO\.eventtime, answer\.DumpFile, upload\.target, upload\.header\.Content-Length, upload\.body\.length\)$/m);
    expect(same.code).toBe(0);
    // asked to compare everything, the GUIDs differ
    expect(runCli(['diff', '--ignore', '', a!, b!]).code).toBe(1);
  }, 30_000);
});

describe('decode of a file that is clearly not HTTP', () => {
  it('says what it looks like and what to run instead, in one line, exit 3', () => {
    const gz = path.join(tmp, 'x.gz');
    fs.writeFileSync(gz, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]));
    const cab = runCli(['decode', vectorPath('sample-report.cab')]);
    expect(cab.code).toBe(3);
    expect(cab.stdout.toString()).toBe('');
    expect(cab.stderr).toMatch(/is not HTTP: it looks like a CAB .* — run: wer-sniff cab /);
    expect(runCli(['decode', gz]).stderr).toMatch(/looks like gzip-compressed data — unpack it first: gunzip -c/);
    const tls = runCli(['decode', '--color', 'never', path.join(path.dirname(vectorPath('x')), '..', 'bad', 'tls-clienthello.bin')]);
    expect(tls.stdout.toString()).toMatch(/bad-request-line .*TLS ClientHello/);
    expect(tls.stdout.toString().split('\n').filter(Boolean).length).toBeLessThanOrEqual(3);
  });
});
