// `listen --tls` and `relay --tls` from the built CLI, with real TLS peers: curl, python3
// http.client and node's tls client, against a generated certificate (kept with --save-cert)
// and one made by openssl. The decoded report must be the one plain mode shows, and --pcap must
// hold the decrypted HTTP. Also: plain HTTP on the TLS port is one log line and the listener
// keeps serving; bad flags and bad files exit 2 with one line.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, cliStarter, type RunningCli } from '../helpers/cli.js';
import { ndjson } from '../helpers/ndjson.js';
import { installed, peer, skipNote } from '../helpers/peers.js';
import { until } from '../helpers/wait.js';
import { sendAndCollect } from '../helpers/net.js';
import { readVector } from '../helpers/paths.js';
import { readPcap } from '../helpers/pcap-reader.js';
import { setUpTls } from '../../src/cli/tls-setup.js';
import { Recorder } from '../../src/pipeline/recorder.js';
import { startListener } from '../../src/sources/net/listener.js';
import { CerServer } from '../../src/domain/server/cer-server.js';

const CURL = peer('curl');
const PYTHON = peer('python3');
const OPENSSL = installed('openssl');
const LEVEL1 = readVector('level1-appcrash.http');
const BODY = LEVEL1.subarray(LEVEL1.indexOf('\r\n\r\n') + 4);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-tls-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const file = (name: string) => path.join(tmp, name);
fs.writeFileSync(file('body.bin'), BODY);

const start = cliStarter();

async function stop(r: RunningCli): Promise<string[]> {
  r.child.kill('SIGINT');
  expect(await r.exited).toBe(0);
  return r.stdout().toString().trim().split('\n').filter(Boolean);
}

const events = (lines: string[]) => ndjson(lines.join('\n'));
const reportOf = (lines: string[]) => events(lines).filter((e) => e.type === 'report').map((e) => e.report);

/** Sends the level-1 vector's exact bytes over TLS, trusting only `ca`. */
function nodeTlsSend(port: number, ca: string | undefined, bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca }, () => s.end(bytes));
    const got: Buffer[] = [];
    s.on('data', (b) => got.push(b));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(got)));
  });
}

/** Runs a peer tool without blocking this process (the listeners under test write into pipes
 * that this process drains). */
function runPeer(cmd: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args);
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

function curlPost(port: number, args: string[]) {
  return runPeer('curl', ['-sS', '--max-time', '10', ...args, '--data-binary', `@${file('body.bin')}`,
    '-H', 'Content-Type: text/xml', '-H', 'User-Agent: MSDW', `https://localhost:${port}/stage2.htm`]);
}

function pythonPost(port: number, cafile: string) {
  const script = `
import http.client, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
c = http.client.HTTPSConnection('localhost', int(sys.argv[1]), context=ctx, timeout=10)
c.request('POST', '/stage2.htm', body=open(sys.argv[3], 'rb').read(), headers={'Content-Type': 'text/xml', 'User-Agent': 'MSDW'})
r = c.getresponse()
print(r.status, r.read().decode('latin1').splitlines()[0])
`;
  return runPeer('python3', ['-c', script, String(port), cafile, file('body.bin')]);
}

// The report as plain mode decodes it, to compare with every TLS run.
let plainReport: unknown;
async function plain(): Promise<unknown> {
  if (plainReport) return plainReport;
  const r = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--json']);
  await sendAndCollect(r.port, [LEVEL1]);
  plainReport = reportOf(await stop(r))[0];
  expect(plainReport).toBeTruthy();
  return plainReport;
}

describe('listen --tls with a generated certificate', () => {
  /** A TLS listener with its own generated certificate, kept by --save-cert in `name`. */
  async function tlsListen(name: string, extra: string[] = []) {
    const cert = file(name);
    const r = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--tls', '--save-cert', cert, '--json', ...extra]);
    return { r, cert, pem: fs.readFileSync(cert, 'utf8') };
  }

  it('prints the fingerprint and the Windows how-to; node gets the same report as plain; --pcap holds the plaintext', async () => {
    const { r, cert, pem } = await tlsListen('gen.crt', ['--pcap', file('tls.pcap'), '--har', file('tls.har')]);
    const x = new crypto.X509Certificate(pem);
    expect(r.stderr()).toContain(`TLS: SHA-256 fingerprint ${x.fingerprint256}`);
    expect(r.stderr()).toContain(`certutil -addstore Root ${cert}`);
    expect(r.stderr()).toContain('CorporateWERUseSSL /t REG_DWORD /d 1');
    expect(r.stderr()).toMatch(/listening on 127\.0\.0\.1:\d+ \(TLS\)/);
    expect(fs.statSync(`${cert}.key`).mode & 0o077).toBe(process.platform === 'win32' ? fs.statSync(`${cert}.key`).mode & 0o077 : 0);

    const reply = await nodeTlsSend(r.port, pem, LEVEL1);
    expect(reply.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*iData=1\r\nDumpFile=/);
    const lines = await stop(r);
    expect(reportOf(lines)).toEqual([await plain()]);
    expect(events(lines).filter((e) => e.type === 'open').map((e) => e.tls)).toEqual([true]);

    const har = JSON.parse(fs.readFileSync(file('tls.har'), 'utf8'));
    expect(har.log.entries[0].request.url).toBe('https://cer-lab.example.test:1273/stage2.htm');
    // The pcap holds the decrypted HTTP: the exact plaintext request bytes, no TLS records.
    const f = readPcap(fs.readFileSync(file('tls.pcap')));
    const firstConn = f.packets.filter((p) => p.sport === f.packets[0]!.sport && p.payload.length);
    expect(Buffer.concat(firstConn.map((p) => p.payload)).equals(LEVEL1)).toBe(true);
    expect(f.packets.some((p) => p.payload[0] === 0x16 && p.payload[1] === 0x03)).toBe(false);
  }, 30_000);

  it.skipIf(!CURL)(`curl trusting the kept certificate gets the level-1 answer; the report is the plain one${skipNote('curl')}`, async () => {
    const { r, cert } = await tlsListen('curl.crt');
    const c = await curlPost(r.port, ['--cacert', cert]);
    expect(c.err).toBe('');
    expect(c.out).toMatch(/^Bucket=\d+/);
    const lines = await stop(r);
    expect(reportOf(lines)).toEqual([await plain()]);
    expect(events(lines).filter((e) => e.type === 'open').map((e) => e.tls)).toEqual([true]);
  }, 30_000);

  it.skipIf(!PYTHON)(`python3 http.client trusting the kept certificate gets the level-1 answer; the report is the plain one${skipNote('python3')}`, async () => {
    const { r, cert } = await tlsListen('python.crt');
    const p = await pythonPost(r.port, cert);
    expect(p.err).toBe('');
    expect(p.out).toMatch(/^200 Bucket=\d+/);
    const lines = await stop(r);
    expect(reportOf(lines)).toEqual([await plain()]);
    expect(events(lines).filter((e) => e.type === 'open').map((e) => e.tls)).toEqual([true]);
  }, 30_000);

  it('--save-cert reuses the kept certificate on the next start', async () => {
    const first = await tlsListen('reuse.crt');
    await stop(first.r);
    const before = new crypto.X509Certificate(first.pem).fingerprint256;
    const r = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--tls', '--save-cert', first.cert, '--json']);
    expect(r.stderr()).toContain(`kept from an earlier run by --save-cert ${first.cert}`);
    expect(r.stderr()).toContain(before);
    const reply = await nodeTlsSend(r.port, first.pem, LEVEL1);
    expect(reply.toString('latin1')).toMatch(/^HTTP\/1\.1 200/);
    await stop(r);
  });

  const refusedLines = (r: RunningCli) => r.stderr().split('\n').filter((l) => l.startsWith('wer-sniff: refused'));

  it('plain HTTP on the TLS port and an untrusting client are one line each; serving goes on', async () => {
    const { r, pem } = await tlsListen('third.crt');
    const plainReply = await sendAndCollect(r.port, [LEVEL1]);
    expect(plainReply.length).toBe(0);
    await expect(nodeTlsSend(r.port, undefined, LEVEL1)).rejects.toThrow(/self[- ]signed|unable to verify/i);
    await until('two refusal lines', () => refusedLines(r).length >= 2);
    const lines = refusedLines(r);
    expect(lines[0]).toMatch(/^wer-sniff: refused 127\.0\.0\.1:\d+: TLS handshake failed: the client did not speak TLS/);
    // node hangs up without an alert: named as a trust problem
    expect(lines[1]).toMatch(/^wer-sniff: refused 127\.0\.0\.1:\d+: TLS handshake failed: the client closed the connection during the handshake \(often: it does not trust our certificate\)$/);
    // still serving a client that trusts this run's certificate
    const reply = await nodeTlsSend(r.port, pem, LEVEL1);
    expect(reply.toString('latin1')).toMatch(/^HTTP\/1\.1 200/);
    const evs = events(await stop(r));
    expect(refusedLines(r)).toHaveLength(2);
    expect(evs.filter((e) => e.type === 'refused').map((e) => e.reason)).toEqual(['tls-handshake', 'tls-handshake']);
    expect(evs.filter((e) => e.type === 'report')).toHaveLength(1);
    expect(r.stderr()).toMatch(/stopped: 1 connection, .*, 2 refused/);
  }, 30_000);

  it.skipIf(!CURL)(`curl that does not trust the certificate sends "unknown CA": one line that says to import it${skipNote('curl')}`, async () => {
    const { r } = await tlsListen('fourth.crt');
    const c = await runPeer('curl', ['-sS', '--max-time', '10', `https://localhost:${r.port}/`]);
    expect(c.code).not.toBe(0);
    await until('the refusal line', () => refusedLines(r).length >= 1);
    expect(refusedLines(r)).toEqual([expect.stringMatching(/^wer-sniff: refused 127\.0\.0\.1:\d+: TLS handshake failed: the client does not trust our certificate \(.*unknown ca\) — import it into its Root store$/)]);
    const evs = events(await stop(r));
    expect(evs.filter((e) => e.type === 'refused').map((e) => e.reason)).toEqual(['tls-handshake']);
    expect(r.stderr()).toMatch(/stopped: 0 connections, .*, 1 refused/);
  }, 30_000);
});

describe.skipIf(!OPENSSL)(`listen --tls --cert --key (openssl-made)${OPENSSL ? '' : ' (SKIPPED: openssl not installed)'}`, () => {
  let fp = '';
  beforeAll(() => {
    const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('k.pem'), '-out', file('c.pem'),
      '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { encoding: 'utf8' });
    expect(gen.status).toBe(0);
    fp = spawnSync('openssl', ['x509', '-in', file('c.pem'), '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' }).stdout.trim().split('=')[1]!;
  });
  const serve = () => start(['listen', '-p', '0', '-b', '127.0.0.1', '--cert', file('c.pem'), '--key', file('k.pem'), '--json']);

  it('serves with the given certificate; the fingerprint printed is openssl\'s; node gets the plain report', async () => {
    const r = await serve();
    expect(r.stderr()).toContain(`TLS: SHA-256 fingerprint ${fp}`);
    const reply = await nodeTlsSend(r.port, fs.readFileSync(file('c.pem'), 'utf8'), LEVEL1);
    expect(reply.toString('latin1')).toMatch(/^HTTP\/1\.1 200/);
    expect(reportOf(await stop(r))).toEqual([await plain()]);
  }, 30_000);

  it.skipIf(!CURL)(`curl --cacert with openssl's certificate gets the answer; the report is the plain one${skipNote('curl')}`, async () => {
    const r = await serve();
    expect((await curlPost(r.port, ['--cacert', file('c.pem')])).out).toMatch(/^Bucket=/);
    expect(reportOf(await stop(r))).toEqual([await plain()]);
  }, 30_000);

  it.skipIf(!PYTHON)(`python3 with openssl's certificate as CA gets the answer; the report is the plain one${skipNote('python3')}`, async () => {
    const r = await serve();
    expect((await pythonPost(r.port, file('c.pem'))).out).toMatch(/^200 Bucket=/);
    expect(reportOf(await stop(r))).toEqual([await plain()]);
  }, 30_000);
});

describe('relay --tls', () => {
  it('clients speak HTTPS to the relay, the upstream gets the same plaintext bytes, both ways decoded', async () => {
    const upstream = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--json']);
    const relay = await start(['relay', '--to', `127.0.0.1:${upstream.port}`, '-p', '0', '-b', '127.0.0.1', '--tls', '--save-cert', file('relay.crt'), '--json']);
    const reply = await nodeTlsSend(relay.port, fs.readFileSync(file('relay.crt'), 'utf8'), LEVEL1);
    expect(reply.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*DumpFile=/);
    const relayed = events(await stop(relay));
    const upstreamSaw = events(await stop(upstream));
    expect(relayed.filter((e) => e.type === 'report').map((e) => e.report)).toEqual([await plain()]);
    expect(relayed.find((e) => e.type === 'response').status).toBe(200);
    // (the relay's start-up check of the upstream is one more, empty, connection)
    expect(upstreamSaw.find((e) => e.type === 'close' && e.bytesFromClient > 0).bytesFromClient).toBe(LEVEL1.length);
  }, 30_000);
});

describe('relay --upstream-tls', () => {
  it('verifies the upstream with --upstream-ca, refuses an unverifiable one (502 + one line), --insecure skips the check', async () => {
    const upstream = await start(['listen', '-p', '0', '-b', '127.0.0.1', '--tls', '--save-cert', file('up.crt'), '--json']);
    const to = `localhost:${upstream.port}`;
    const verified = await start(['relay', '--to', to, '-p', '0', '-b', '127.0.0.1', '--upstream-tls', '--upstream-ca', file('up.crt'), '--json']);
    expect(verified.stderr()).toMatch(/relaying to localhost:\d+ over TLS\n/);
    const ok = await sendAndCollect(verified.port, [LEVEL1]);
    expect(ok.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*DumpFile=/);
    const seen = events(await stop(verified));
    expect(seen.filter((e) => e.type === 'report').map((e) => e.report)).toEqual([await plain()]);
    expect(seen.find((e) => e.type === 'close').bytesFromServer).toBe(ok.length);

    const strict = await start(['relay', '--to', to, '-p', '0', '-b', '127.0.0.1', '--upstream-tls', '--on-upstream-error', '502', '--json']);
    const refused = await sendAndCollect(strict.port, [LEVEL1]);
    expect(refused.toString('latin1')).toMatch(/^HTTP\/1\.1 502 Bad Gateway[\s\S]*failed TLS verification: self[- ]signed certificate/);
    await stop(strict); // the relay thread's notice may come a moment after the 502
    expect(strict.stderr()).toMatch(/wer-sniff: upstream localhost:\d+ failed TLS verification: .*\(DEPTH_ZERO_SELF_SIGNED_CERT\) — give its CA with --upstream-ca, or --insecure to skip the check for #1\n/);

    const lax = await start(['relay', '--to', `127.0.0.1:${upstream.port}`, '-p', '0', '-b', '127.0.0.1', '--upstream-tls', '--insecure', '--json']);
    expect(lax.stderr()).toContain('over TLS (certificate not checked: --insecure)');
    expect((await sendAndCollect(lax.port, [LEVEL1])).toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK/);
    await stop(lax);
    const upstreamSaw = events(await stop(upstream));
    expect(upstreamSaw.filter((e) => e.type === 'report')).toHaveLength(2); // the refused relay sent nothing
  }, 60_000);

  it('--insecure without --upstream-tls is a usage error', () => {
    const r = runCli(['relay', '--to', '127.0.0.1:9', '-p', '0', '--insecure']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--insecure applies to --upstream-tls only/);
  });
});

describe('bad TLS and access flags: one line, exit 2', () => {
  it.each([
    [['--allow', '10.0.0.0/33'], /--allow.*"10\.0\.0\.0\/33": the prefix length of an IPv4 block is 0–32/],
    [['--deny', 'wer.example.test'], /"wer\.example\.test" is not an IPv4\/IPv6 address or CIDR block/],
    [['--cert', 'x.pem'], /--cert and --key go together/],
    [['--cert', file('missing.pem'), '--key', file('missing.key')], /cannot read --cert .*missing\.pem: no such file or folder \(ENOENT\)/],
    [['--cert', file('body.bin'), '--key', file('body.bin')], /cannot use the certificate and key/],
    [['--idle-timeout', 'soon'], /expected a duration like 10s/],
    [['--max-conns', '0'], /expected a whole number from 1/],
    [['--cert-name', 'wer.example.test'], /--cert-name names the generated certificate of --tls — add --tls/],
  ])('listen %j', (flags, message) => {
    const r = runCli(['listen', '-p', '0', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('(run with --help')).length).toBe(1);
  });

  it('--denyfile with a bad line names the file and line; an empty --allowfile is refused', () => {
    fs.writeFileSync(file('deny.txt'), '# blocked\n192.0.2.0/24\n\n192.0.2.300\n');
    const r = runCli(['relay', '--to', '127.0.0.1:9', '-p', '0', '--denyfile', file('deny.txt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--denyfile .*deny\.txt line 4: "192\.0\.2\.300" is not/);
    fs.writeFileSync(file('allow.txt'), '# nobody yet\n');
    const e = runCli(['listen', '-p', '0', '--allowfile', file('allow.txt')]);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/holds no addresses — that would let everyone in/);
  });
});

describe('a TLS client that completes the handshake and hangs up without a request', () => {
  it('is one notice line (does it trust our certificate?) and an ordinary open/close', async () => {
    const setup = setUpTls({ tls: true }, '127.0.0.1')!;
    const types: string[] = [];
    const recorder = new Recorder({ sinks: [{ event: (e) => types.push(e.type), close: async () => {} }] });
    const notices: string[] = [];
    const h = await startListener({
      port: 0, bind: '127.0.0.1', recorder, server: new CerServer({ mode: 'cer', answer: { ask: [] } }),
      gate: { tls: setup.context }, onNotice: (m) => notices.push(m),
    });
    try {
      const s = tls.connect({ port: h.port, host: '127.0.0.1', rejectUnauthorized: false });
      await new Promise((r) => s.once('secureConnect', r));
      // TLS 1.3: the server counts the connection open once our Finished has arrived
      await until('the open event', () => types.includes('open'));
      s.end();
      await new Promise((r) => s.once('close', r));
      await until('the close event', () => types.includes('close'));
      expect(types).toEqual(['open', 'close']);
      expect(notices).toEqual([expect.stringMatching(/^#1 127\.0\.0\.1:\d+: closed right after the TLS handshake without a request — does it trust our certificate\?$/)]);
    } finally {
      await h.close();
    }
  });
});
