// pcap input from real tools for every link type the README claims. text2pcap builds the
// TCP/IP packets (raw IPv4/IPv6, LINKTYPE_RAW/IPV4/IPV6); editcap writes the nanosecond variant;
// relink.py (python3, independent of our pcap code) adds the link headers text2pcap cannot —
// VLAN and QinQ, Linux SLL and SLL2, BSD loopback (NULL and LOOP), an IPv6 Hop-by-Hop extension
// header — and writes a big-endian file; mergecap joins two link types in one pcapng. tshark
// must find the request in each file (so the fixture is right before we are judged on it), and
// `wer-sniff decode` must give the same exchanges as the raw bytes.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ndjson, exchangesByConnection } from '../helpers/ndjson.js';
import { FIXTURES, readVector } from '../helpers/paths.js';
import { peer, skipNote } from '../helpers/peers.js';
import { segments, text2pcap } from '../helpers/text2pcap.js';

const TOOLS = ['text2pcap', 'editcap', 'mergecap', 'tshark', 'python3'];
const HAVE = peer(...TOOLS);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-links-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const file = (name: string) => path.join(tmp, name);
const REQ = readVector('level1-appcrash.http');
const RES = readVector('level1-response-level2.http');

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** text2pcap: the request and the answer in 1000-byte segments, raw IP of `ip` (4 or 6). */
function rawIp(name: string, ip: 4 | 6, linktype: number): string {
  const addrs = ip === 4 ? ['-4', '192.0.2.10,192.0.2.1'] : ['-6', '2001:db8::10,2001:db8::1'];
  text2pcap([...segments('I', REQ, 1000), ...segments('O', RES, 1000)], file(name), ['-F', 'pcap', '-l', String(linktype), ...addrs, '-T', '49712,1273']);
  return file(name);
}

const relink = (kind: string, src: string, name: string) => (run('python3', [path.join(FIXTURES, 'pcap-tools', 'relink.py'), kind, src, file(name)]), file(name));

/** What the tools see: the file's link type (capinfos' short name) and tshark's HTTP requests. */
function tshark(cap: string): { encap: string; requests: string[] } {
  const encap = run('capinfos', ['-E', '-M', cap]).match(/File encapsulation:\s+(.+)/)?.[1]?.trim() ?? '';
  const requests = run('tshark', ['-r', cap, '-d', 'tcp.port==1273,http', '-Y', 'http.request', '-T', 'fields', '-e', 'http.request.method', '-e', 'http.request.uri', '-e', 'tcp.dstport'])
    .trim().split('\n').filter(Boolean);
  return { encap, requests };
}


/** The exchanges of the raw bytes: the reference every capture must match. */
let reference: string[][] | undefined;
function fromRaw(): string[][] {
  if (reference) return reference;
  fs.writeFileSync(file('raw.bin'), Buffer.concat([REQ, RES]));
  const r = runCli(['decode', '--json', file('raw.bin')]);
  expect(r.code).toBe(0);
  // raw input is one stream: its response offsets count the request bytes before them
  reference = exchangesByConnection(ndjson(r.stdout).map((e) => (e.type === 'response' ? { ...e, offset: (e.offset as number) - REQ.length } : e)));
  expect(reference[0]!.some((e) => e.startsWith('{"type":"report"'))).toBe(true);
  return reference;
}

function decodesLikeRaw(cap: string, peerAddr: RegExp): void {
  const r = runCli(['decode', '--json', cap]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const evs = ndjson(r.stdout);
  expect(exchangesByConnection(evs)).toEqual(fromRaw());
  expect(evs.find((e) => e.type === 'open')!.peer).toMatch(peerAddr);
}

const V4 = /^192\.0\.2\.10:49712$/;
const V6 = /^\[2001:db8::10\]:49712$/;

describe(`pcap link types made by real tools${skipNote(...TOOLS)}`, () => {
  const cases: [string, () => string, string, RegExp][] = [
    ['raw IPv4 (LINKTYPE_RAW, text2pcap -l 101)', () => rawIp('raw4.pcap', 4, 101), 'rawip', V4],
    ['raw IPv6 (LINKTYPE_RAW)', () => rawIp('raw6.pcap', 6, 101), 'rawip', V6],
    ['LINKTYPE_IPV4 (228)', () => rawIp('ipv4.pcap', 4, 228), 'rawip4', V4],
    ['LINKTYPE_IPV6 (229)', () => rawIp('ipv6.pcap', 6, 229), 'rawip6', V6],
    ['Ethernet + 802.1Q VLAN', () => relink('vlan', rawIp('v.pcap', 4, 101), 'vlan.pcap'), 'ether', V4],
    ['Ethernet + 802.1ad/802.1Q (QinQ), IPv6', () => relink('qinq', rawIp('q.pcap', 6, 101), 'qinq.pcap'), 'ether', V6],
    ['Linux cooked (SLL)', () => relink('sll', rawIp('s.pcap', 4, 101), 'sll.pcap'), 'linux-sll', V4],
    ['Linux cooked v2 (SLL2), IPv6', () => relink('sll2', rawIp('s2.pcap', 6, 101), 'sll2.pcap'), 'linux-sll2', V6],
    ['BSD loopback (NULL, host order)', () => relink('null', rawIp('n.pcap', 4, 101), 'null.pcap'), 'null', V4],
    ['OpenBSD loopback (LOOP, network order), IPv6', () => relink('loop', rawIp('l.pcap', 6, 101), 'loop.pcap'), 'loop', V6],
    ['IPv6 with a Hop-by-Hop extension header', () => relink('hbh', rawIp('h.pcap', 6, 101), 'hbh.pcap'), 'rawip', V6],
    ['big-endian pcap', () => relink('be', rawIp('b.pcap', 4, 101), 'be.pcap'), 'rawip', V4],
    ['nanosecond pcap (editcap -F nsecpcap)', () => (run('editcap', ['-F', 'nsecpcap', rawIp('ns.pcap', 4, 101), file('nsec.pcap')]), file('nsec.pcap')), 'rawip', V4],
    ['pcapng (editcap -F pcapng) of SLL2', () => (run('editcap', ['-F', 'pcapng', relink('sll2', rawIp('ng.pcap', 4, 101), 'ng-sll2.pcap'), file('sll2.pcapng')]), file('sll2.pcapng')), 'linux-sll2', V4],
  ];
  for (const [label, make, encap, peerAddr] of cases) {
    it.skipIf(!HAVE)(label, () => {
      const cap = make();
      const seen = tshark(cap);
      expect(seen.encap).toBe(encap);
      expect(seen.requests).toEqual(['POST\t/stage2.htm\t1273']);
      decodesLikeRaw(cap, peerAddr);
    });
  }

  it.skipIf(!HAVE)('mergecap: a VLAN and a BSD-loopback capture in one pcapng (two interfaces, two link types)', () => {
    const a = relink('vlan', rawIp('ma.pcap', 4, 101), 'ma-vlan.pcap');
    const b = relink('null', rawIp('mb.pcap', 6, 101), 'mb-null.pcap');
    run('mergecap', ['-F', 'pcapng', '-w', file('merged.pcapng'), a, b]);
    expect(tshark(file('merged.pcapng')).requests).toEqual(['POST\t/stage2.htm\t1273', 'POST\t/stage2.htm\t1273']);
    const r = runCli(['decode', '--json', file('merged.pcapng')]);
    expect(r.stderr).toBe('');
    const evs = ndjson(r.stdout);
    expect(exchangesByConnection(evs)).toEqual([...fromRaw(), ...fromRaw()]);
    expect(evs.filter((e) => e.type === 'open').map((e) => e.peer).sort()).toEqual(['192.0.2.10:49712', '[2001:db8::10]:49712']);
  });
});
