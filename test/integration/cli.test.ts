// The built command end to end, as users run it: real clients (curl, python3's http.client,
// a raw socket), byte-exact --raw and -o, --json, --once, errors and exit codes.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hasCommand, runCli, cliStarter, type RunningCli } from '../helpers/cli.js';
import { sendAndCollect } from '../helpers/net.js';
import { BIN, SAMPLES, vectorPath, readVector, vectorFiles } from '../helpers/paths.js';
import { ndjson } from '../helpers/ndjson.js';
import { tempDir } from '../helpers/temp.js';

const startCli = cliStarter();

const bodyOf = (http: Buffer) => http.subarray(http.indexOf('\r\n\r\n') + 4);
const tmp = tempDir('wer-sniff-cli-');

async function cli(args: string[]) {
  const r = await startCli(['listen', '-p', '0', '-b', '127.0.0.1', ...args]);
  return r;
}

describe('wer-sniff listen (CLI)', () => {
  it('prints its real port, and --raw --once output is byte-identical to what was sent', async () => {
    const r = await cli(['--raw', '--once', '--respond', 'none']);
    expect(r.stderr()).toMatch(/^listening on 127\.0\.0\.1:\d+\n/);
    expect(r.port).toBeGreaterThan(0);
    const sent = Buffer.concat([readVector('level1-appcrash.http'), Buffer.from([0, 1, 2, 0xff, 0x1b]), readVector('level2-put.http')]);
    await sendAndCollect(r.port, [sent]);
    expect(await r.exited).toBe(0);
    expect(r.stdout().equals(sent)).toBe(true);
    // The garbage ends framing: the PUT after it is recorded exactly but shown as raw bytes.
    expect(r.stderr()).toMatch(/stopped: 1 connection, 1 request, 1 report, .*, 1 problem\n$/);
  });

  it('a report POSTed under a prefix is answered as level 1; --dump-server adds DumpServer=, and the PUT there pairs', async () => {
    const r = await cli(['--json', '--dump-server', 'cer.example.test']);
    const level1 = Buffer.from(readVector('level1-hang.http').toString('latin1').replace('POST /stage2.htm ', 'POST /cer/stage2.htm '), 'latin1');
    const answer = (await sendAndCollect(r.port, [level1])).toString('latin1');
    expect(answer).toMatch(/\r\niData=1\r\nDumpServer=cer\.example\.test\r\nDumpFile=\\PersistedCabs\\/);
    const dump = /DumpFile=(.*)\r\n/.exec(answer)![1]!;
    const cab = readVector('sample-report.cab');
    await sendAndCollect(r.port, [Buffer.from(`PUT ${dump} HTTP/1.1\r\nHost: cer.example.test\r\nContent-Length: ${cab.length}\r\n\r\n`, 'latin1'), cab]);
    r.child.kill('SIGINT');
    expect(await r.exited).toBe(0);
    const events = ndjson(r.stdout());
    const requests = events.filter((e) => e.type === 'request');
    expect(requests.map((e) => e.reportId)).toEqual(['r1', 'r1']);
    expect(events.filter((e) => e.type === 'problem')).toEqual([]);
    expect(runCli(['listen', '--dump-server', 'a b']).code).toBe(2);
  });

  it.skipIf(!hasCommand('curl'))('shows the decoded crash summary of a report curl posts', async () => {
    const r = await cli(['--once', '-v', '--color', 'never']);
    const bodyFile = path.join(tmp, 'body.xml');
    fs.writeFileSync(bodyFile, bodyOf(readVector('level1-appcrash.http')));
    const c = spawnSync('curl', ['-sS', '--data-binary', `@${bodyFile}`, '-H', 'User-Agent: MSDW', `http://127.0.0.1:${r.port}/stage2.htm`]);
    expect(c.status).toBe(0);
    expect(c.stdout.toString()).toMatch(/iData=1\r\nDumpFile=\\PersistedCabs\\/);
    expect(await r.exited).toBe(0);
    const out = r.stdout().toString();
    const iso = new Date(Number((133601524131234560n - 116444736000000000n) / 10000n)).toISOString();
    expect(out).toContain(iso);
    expect(out).toContain('WKS-0042.lab.example.test');
    expect(out).toMatch(/c0000005.*access violation/);
    expect(out).toContain('[report r1]');
    expect(out).not.toMatch(/\x1b\[/); // no colour when not a terminal
  });

  it.skipIf(!hasCommand('python3'))('answers python http.client, which then PUTs the CAB to the DumpFile (--json)', async () => {
    const r = await cli(['--json']);
    const script = `
import http.client, sys, re
body = open(sys.argv[2], 'rb').read()
cab = open(sys.argv[3], 'rb').read()
c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]))
c.request('POST', '/stage2.htm', body, {'User-Agent': 'MSDW'})
res = c.getresponse(); text = res.read().decode('cp1252')
dump = re.search(r'DumpFile=(.*)\\r\\n', text).group(1)
c.putrequest('PUT', dump, skip_accept_encoding=True)
c.putheader('Content-Length', str(len(cab))); c.endheaders(); c.send(cab)
res2 = c.getresponse(); res2.read()
print(res.status, res2.status, dump)
`;
    const bodyFile = path.join(tmp, 'bs.xml');
    fs.writeFileSync(bodyFile, bodyOf(readVector('level1-bluescreen.http')));
    const py = spawnSync('python3', ['-c', script, String(r.port), bodyFile, vectorPath('sample-report-mszip.cab')]);
    expect(py.stderr.toString()).toBe('');
    expect(py.stdout.toString()).toMatch(/^200 200 \\PersistedCabs\\Blue\\[0-9a-f-]{36}\.cab/);
    r.child.kill('SIGINT');
    expect(await r.exited).toBe(0);
    const events = ndjson(r.stdout());
    for (const e of events) expect(typeof e.conn).toBe('number');
    const put = events.find((e) => e.type === 'request' && e.method === 'PUT');
    const report = events.find((e) => e.type === 'report');
    expect(report.report.event.eventType).toBe('BlueScreen');
    expect(put.reportId).toBe(report.reportId);
    expect(put.body.length).toBe(fs.statSync(vectorPath('sample-report-mszip.cab')).size);
    expect(r.stderr()).toMatch(/stopped: 1 connection, 2 requests, 1 report/);
  });

  it('-o writes the exact client bytes beside the human view; --append-output appends', async () => {
    const file = path.join(tmp, 'cap.bin');
    const a = readVector('level1-generic.http');
    let r = await cli(['--once', '-v', '-o', file]);
    await sendAndCollect(r.port, [a]);
    await r.exited;
    expect(fs.readFileSync(file).equals(a)).toBe(true);
    expect(r.stdout().toString()).toContain('POST /stage2.htm');
    r = await cli(['--once', '-o', file, '--append-output']);
    await sendAndCollect(r.port, [a]);
    await r.exited;
    expect(fs.readFileSync(file).equals(Buffer.concat([a, a]))).toBe(true);
  });

  it('a port in use is one clear line and exit code 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', () => res()));
    const port = (blocker.address() as net.AddressInfo).port;
    const res = runCli(['listen', '-p', String(port), '-b', '127.0.0.1']);
    blocker.close();
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`wer-sniff: port ${port} is in use on 127.0.0.1 — stop the other program or try -p 0\n`);
  });

  it('bad flags exit 2 with a message; an unwritable -o exits 1 before listening', () => {
    const bad = runCli(['listen', '-p', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected a TCP port/);
    const unwritable = runCli(['listen', '-p', '0', '-o', path.join(tmp, 'no', 'such', 'dir', 'x.bin')]);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/^wer-sniff: cannot write capture file .*ENOENT/);
  });

  it('--help of every command has examples, each one a run of that command', () => {
    const top = runCli(['--help']);
    expect(top.code).toBe(0);
    const text = top.stdout.toString().replace(/\r\n/g, '\n');
    // every command the top-level help lists (so a new command without examples fails here)
    const commands = [...text.split('\nCommands:\n')[1]!.split('\n\n')[0]!.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    expect(commands).toEqual(['listen', 'relay', 'simulate', 'setup', 'cab', 'decode', 'check', 'diff', 'inspect', 'replay', 'ls']);
    expect(text).toMatch(/\nExamples:\n {2}\$ wer-sniff /);
    for (const cmd of commands) {
      const res = runCli([cmd, '--help']);
      expect(res.code, cmd).toBe(0);
      const help = res.stdout.toString().replace(/\r\n/g, '\n');
      expect(help, cmd).toMatch(new RegExp(`^Usage: wer-sniff ${cmd} `));
      const examples = (help.split('\nExamples:\n')[1] ?? '').split('\n\n')[0]!.split('\n').filter((l) => l.trim().startsWith('$ '));
      expect(examples.length, `${cmd} --help examples`).toBeGreaterThanOrEqual(2);
      // `$ wer-sniff <cmd> …`, or fed by a pipe (`$ nc -l 1273 | wer-sniff decode`)
      for (const ex of examples) expect(ex.trim(), cmd).toMatch(new RegExp(`^\\$ (?:[^|]+\\| )?wer-sniff ${cmd}( |$)`));
    }
  });
});

describe('wer-sniff decode (CLI)', () => {
  it('decodes every vector and sample', () => {
    const files = [
      ...vectorFiles('.http'),
      ...fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.http')).map((f) => path.join(SAMPLES, f)),
    ];
    // One run over all files: each input is its own connection, numbered in order.
    const res = runCli(['decode', '--json', ...files]);
    const events = ndjson(res.stdout);
    files.forEach((f, i) => {
      const mine = events.filter((e) => e.conn === i + 1);
      expect(mine.some((e) => e.type === 'request' || e.type === 'response'), f).toBe(true);
      const problems = mine.filter((e) => e.type === 'problem').map((e) => e.code);
      // level2-put-headers.http is only the head of the PUT: its Content-Length promises 1374
      // bytes that never come.
      expect(problems, f).toEqual(f.endsWith('level2-put-headers.http') ? ['truncated-body'] : []);
    });
    expect(res.code).toBe(3);
    expect(events.filter((e) => e.type === 'report')).toHaveLength(8);
  });

  it('reads stdin, shows the report like the live view, and escapes control bytes', () => {
    const evil = Buffer.concat([readVector('level1-generic.http'), Buffer.from('GARBAGE \x1b]0;pwned\x07\r\n\r\n', 'latin1')]);
    const res = runCli(['decode', '-vvv', '--color', 'never'], evil);
    const out = res.stdout.toString();
    expect(out).toContain('POST /stage2.htm');
    expect(out).not.toContain('\x1b');
    expect(out).not.toContain('\x07');
    expect(out).toContain('\\x1b');
    expect(res.code).toBe(3);
  });

  it('ends quietly with exit 0 when stdout is closed early (| head)', async () => {
    const big = Buffer.concat(Array.from({ length: 3000 }, () => readVector('level1-appcrash.http')));
    const child = spawn(process.execPath, [BIN, 'decode', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    child.stdout.once('data', () => child.stdout.destroy());
    child.stdin.on('error', () => {});
    child.stdin.end(big);
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(0);
    expect(err).toBe('');
  });
});
