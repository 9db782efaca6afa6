// `decode` of pcap/pcapng written by real tools — text2pcap from the shared vectors, dumpcap on
// the loopback interface, and our own `listen -w` — must give the same JSON events as raw bytes
// or the live run. Plus the port filter's messages from the built CLI.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { hasCommand, runCli, cliStarter, type RunningCli } from '../helpers/cli.js';
import { runCliAsync } from '../helpers/run-async.js';
import { readVector } from '../helpers/paths.js';
import { ndjson, exchangesByConnection } from '../helpers/ndjson.js';
import { captureConnectionBytes } from '../../src/sources/files/pcap-input.js';
import { parseCapture } from '../../src/sources/pcap/capture.js';
import { segments, text2pcap as runText2pcap } from '../helpers/text2pcap.js';
import { tempDir } from '../helpers/temp.js';

const startCli = cliStarter();

const TEXT2PCAP = hasCommand('text2pcap', '-v');
const EDITCAP = hasCommand('editcap', '-V') && hasCommand('mergecap', '-V');
const tmp = tempDir('wer-sniff-pcapin-');
const file = (name: string) => path.join(tmp, name);
// Each test starts several CLI processes and tshark; on a loaded machine that takes a while.
vi.setConfig({ testTimeout: 90_000 });

type Json = Record<string, any>;
const events = (out: Buffer | string): Json[] => ndjson(out);

/** Runs text2pcap on one exchange; returns the capture file's path. */
function text2pcap(name: string, request: Buffer, response: Buffer, args: string[], size = 1400): string {
  return runText2pcap([...segments('I', request, size), ...segments('O', response, size)], file(name), args);
}

const PAIRS: [string, string][] = [
  ['level1-appcrash.http', 'level1-response-level2.http'],
  ['level1-bluescreen.http', 'level1-response-nolevel2.http'],
  ['level2-put.http', 'level2-response-ok.http'],
];

describe.skipIf(!TEXT2PCAP)('decode of text2pcap captures of the shared vectors' + (TEXT2PCAP ? '' : ' (SKIPPED: text2pcap not installed)'), () => {
  const variants: [string, string[], RegExp][] = [
    ['classic pcap, Ethernet + IPv4', ['-F', 'pcap', '-T', '49712,1273', '-4', '192.0.2.10,192.0.2.1'], /^192\.0\.2\.10:49712$/],
    ['pcapng, Ethernet + IPv6', ['-F', 'pcapng', '-T', '49712,1273', '-6', '2001:db8::10,2001:db8::1'], /^\[2001:db8::10\]:49712$/],
  ];
  for (const [label, args, peer] of variants) {
    it(`${label}: the same request, report and response events as the raw bytes`, () => {
      for (const [reqName, resName] of PAIRS) {
        const req = readVector(reqName);
        const res = readVector(resName);
        const cap = text2pcap(`${reqName}-${args[1]}.cap`, req, res, args);
        const fromPcap = runCli(['decode', '--json', cap]);
        expect(fromPcap.stderr).toBe('');
        expect(fromPcap.code).toBe(0);
        const raw = file(`${reqName}.raw`);
        fs.writeFileSync(raw, Buffer.concat([req, res]));
        const fromRaw = runCli(['decode', '--json', raw]);
        expect(fromRaw.code).toBe(0);
        // Raw input is one stream: its response offsets count the request bytes before them.
        const perDirection = (evs: Json[]) => evs.map((e) => (e.type === 'response' ? { ...e, offset: e.offset - req.length } : e));
        const got = exchangesByConnection(events(fromPcap.stdout));
        expect(got).toEqual(exchangesByConnection(perDirection(events(fromRaw.stdout))));
        expect(got[0]!.some((e) => e.startsWith('{"type":"response"'))).toBe(true);
        const open = events(fromPcap.stdout).find((e) => e.type === 'open')!;
        expect(open.peer).toMatch(peer);
        expect(open.local).toMatch(/:1273$/);
      }
    });
  }

  it('a capture on another port: one clear stderr line, then --port and --all-ports decode it', () => {
    const cap = text2pcap('port8080.pcap', readVector('level1-hang.http'), readVector('level1-response-level2.http'), ['-F', 'pcap', '-T', '49712,8080', '-4', '192.0.2.10,192.0.2.1']);
    const none = runCli(['decode', '--json', cap]);
    expect(none.code).toBe(0);
    expect(none.stdout.length).toBe(0);
    expect(none.stderr).toBe(`wer-sniff: ${cap}: 1 TCP connection, none to or from port 1273 (ports seen: 8080) — use --port <n> or --all-ports\n`);
    for (const flags of [['--port', '8080'], ['--all-ports']]) {
      const r = runCli(['decode', '--json', ...flags, cap]);
      expect(r.code).toBe(0);
      expect(events(r.stdout).filter((e) => e.type === 'report')).toHaveLength(1);
    }
  });

  it('the same capture on stdin is recognised by its magic number', () => {
    const cap = text2pcap('stdin.pcapng', readVector('level1-generic.http'), readVector('level1-response-loose.http'), ['-T', '50000,1273', '-4', '10.0.0.1,10.0.0.2']);
    const r = runCli(['decode', '--json'], fs.readFileSync(cap));
    expect(r.code).toBe(0);
    expect(events(r.stdout).map((e) => e.type)).toEqual(['open', 'request', 'report', 'response', 'close']);
  });
});

describe.skipIf(!TEXT2PCAP || !EDITCAP)('captures damaged by editcap and mergecap' + (TEXT2PCAP && EDITCAP ? '' : ' (SKIPPED: editcap/mergecap not installed)'), () => {
  const req = readVector('level1-appcrash.http');
  const res = readVector('level1-response-level2.http');
  const base = () => text2pcap('whole.pcap', req, res, ['-F', 'pcap', '-T', '49712,1273', '-4', '192.0.2.10,192.0.2.1'], 1000);
  const editcap = (args: string[]) => {
    const r = spawnSync(args[0]!, args.slice(1));
    if (r.status !== 0) throw new Error(`${args[0]} failed: ${r.stderr}`);
  };

  it('every packet twice (mergecap -a: retransmissions): exactly the events of the clean capture', () => {
    const whole = base();
    const twice = file('twice.pcap');
    editcap(['mergecap', '-F', 'pcap', '-a', '-w', twice, whole, whole]);
    const clean = runCli(['decode', '--json', whole]);
    const dup = runCli(['decode', '--json', twice]);
    expect(dup.code).toBe(0);
    expect(exchangesByConnection(events(dup.stdout))).toEqual(exchangesByConnection(events(clean.stdout)));
  });

  it('a lost segment (editcap deletes packet 2): a tcp-gap problem at its offset, exit 3', () => {
    const lost = file('lost.pcap');
    editcap(['editcap', base(), lost, '2']);
    const r = runCli(['decode', '--json', lost]);
    expect(r.code).toBe(3);
    const problems = events(r.stdout).filter((e) => e.type === 'problem');
    expect(problems[0]).toMatchObject({ code: 'tcp-gap', source: 'client', offset: 1000 });
    expect(problems[0].message).toMatch(/^1000 bytes missing from the capture at TCP stream offset 1000 \(the receiver acknowledged past it\)/);
  });

  it('packets cut by a snaplen (editcap -s 200): packet-truncated problems, exit 3', () => {
    const cut = file('cut.pcap');
    editcap(['editcap', '-s', '200', base(), cut]);
    const r = runCli(['decode', '--json', cut]);
    expect(r.code).toBe(3);
    const codes = new Set(events(r.stdout).filter((e) => e.type === 'problem').map((e) => e.code));
    expect(codes.has('packet-truncated')).toBe(true);
    expect(codes.has('tcp-gap')).toBe(true);
  });

  it('a capture cut off mid-record (a killed tcpdump): one stderr line, the frames before it decoded', () => {
    const whole = fs.readFileSync(base());
    const cutFile = file('cutoff.pcap');
    fs.writeFileSync(cutFile, whole.subarray(0, whole.length - 50));
    const r = runCli(['decode', '--json', cutFile]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^wer-sniff: .*cutoff\.pcap: the file ends inside frame 4 \(\d+ of \d+ bytes; capture cut off\); 3 frames read\n$/);
    expect(events(r.stdout).filter((e) => e.type === 'report')).toHaveLength(1);
  });

  it('captureConnectionBytes gives each side\'s bytes (replay sends the client\'s)', () => {
    const conns = captureConnectionBytes(parseCapture(fs.readFileSync(base()))!);
    expect(conns).toHaveLength(1);
    expect(conns[0]!.client.equals(req)).toBe(true);
    expect(conns[0]!.server.equals(res)).toBe(true);
    expect(conns[0]!.connection).toMatchObject({ client: '192.0.2.10:49712', server: '192.0.2.1:1273', end: 'open' });
    expect(parseCapture(readVector('level1-hang.http'))).toBeUndefined();
  });
});

describe('decode of our own listen -w capture', () => {
  it('gives the same exchanges as the live run, connection by connection', async () => {
    const pcap = file('roundtrip.pcap');
    const live = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '--json', '-w', pcap]);
    const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${live.port}`, '--kind', 'all', '--color', 'never']);
    expect(sim.code).toBe(0);
    live.child.kill('SIGINT');
    expect(await live.exited).toBe(0);
    const dec = runCli(['decode', '--json', '--port', String(live.port), pcap]);
    expect(dec.stderr).toBe('');
    expect(dec.code).toBe(0);
    const want = exchangesByConnection(events(live.stdout()));
    expect(want).toHaveLength(4);
    expect(want.flat().filter((e) => e.startsWith('{"type":"report"'))).toHaveLength(4);
    expect(exchangesByConnection(events(dec.stdout))).toEqual(want);
    // Addresses are the real ones.
    const opens = (evs: Json[]) => evs.filter((e) => e.type === 'open').map((e) => [e.peer, e.local]);
    expect(opens(events(dec.stdout))).toEqual(opens(events(live.stdout())));
  });
});

const DUMPCAP_WHY = dumpcapProblem();

/** Why dumpcap cannot capture on lo here (no binary, no permission), or undefined. */
function dumpcapProblem(): string | undefined {
  if (!hasCommand('dumpcap', '-v')) return 'dumpcap not installed';
  const r = spawnSync('dumpcap', ['-i', 'lo', '-a', 'duration:1', '-q', '-w', path.join(tmp, 'probe.pcapng')], { timeout: 10_000 });
  return r.status === 0 ? undefined : `dumpcap cannot capture on lo: ${r.stderr.toString().trim().split('\n').at(-1)}`;
}

describe('decode of a dumpcap capture on the loopback interface', () => {
  it.skipIf(DUMPCAP_WHY !== undefined)(`simulate ⇄ listen seen by dumpcap decodes like the live run${DUMPCAP_WHY ? ` (SKIPPED: ${DUMPCAP_WHY})` : ''}`, async () => {
    const live = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', '--json']);
    const cap = file('dumpcap.pcapng');
    // Only our port: the loopback carries other programs' traffic too.
    const dc = spawn('dumpcap', ['-i', 'lo', '-f', `tcp port ${live.port}`, '-w', cap]);
    const dcDone = new Promise((resolve) => dc.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`dumpcap did not start: ${err}`)), 10_000);
      dc.stderr.on('data', (b: Buffer) => {
        err += b.toString();
        if (err.includes('File:')) { clearTimeout(timer); resolve(); }
      });
    });
    const sim = await runCliAsync(['simulate', '--to', `127.0.0.1:${live.port}`, '--kind', 'appcrash,hang', '--color', 'never']);
    expect(sim.code).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    dc.kill('SIGINT');
    await dcDone;
    live.child.kill('SIGINT');
    expect(await live.exited).toBe(0);
    const dec = runCli(['decode', '--json', '--port', String(live.port), cap]);
    expect(dec.stderr).toBe('');
    expect(dec.code).toBe(0);
    const want = exchangesByConnection(events(live.stdout()));
    expect(want).toHaveLength(2);
    expect(exchangesByConnection(events(dec.stdout))).toEqual(want);
  });
});
