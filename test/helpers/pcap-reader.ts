// Reads what PcapSink writes (pcap 2.4, LINKTYPE_RAW, IPv4/IPv6 + TCP) back into packets, and
// wraps tshark for the tests that compare against a real dissector.
import { spawnSync } from 'node:child_process';

export interface Packet {
  ts: number;
  v6: boolean;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  payload: Buffer;
  ip: Buffer;
}

export interface PcapFile {
  magic: number;
  major: number;
  minor: number;
  snaplen: number;
  linkType: number;
  packets: Packet[];
}

function ipText(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return groups.join(':');
}

export function readPcap(buf: Buffer): PcapFile {
  const file: PcapFile = {
    magic: buf.readUInt32LE(0), major: buf.readUInt16LE(4), minor: buf.readUInt16LE(6),
    snaplen: buf.readUInt32LE(16), linkType: buf.readUInt32LE(20), packets: [],
  };
  for (let off = 24; off < buf.length;) {
    const sec = buf.readUInt32LE(off);
    const usec = buf.readUInt32LE(off + 4);
    const incl = buf.readUInt32LE(off + 8);
    const ip = buf.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    const v6 = ip[0]! >> 4 === 6;
    const ipLen = v6 ? 40 : (ip[0]! & 0x0f) * 4;
    const tcp = ip.subarray(ipLen);
    const tcpLen = (tcp[12]! >> 4) * 4;
    file.packets.push({
      ts: sec * 1000 + usec / 1000, v6,
      src: ipText(v6 ? ip.subarray(8, 24) : ip.subarray(12, 16)),
      dst: ipText(v6 ? ip.subarray(24, 40) : ip.subarray(16, 20)),
      sport: tcp.readUInt16BE(0), dport: tcp.readUInt16BE(2), seq: tcp.readUInt32BE(4), ack: tcp.readUInt32BE(8),
      flags: tcp[13]!, payload: tcp.subarray(tcpLen), ip,
    });
  }
  return file;
}

/** All payload bytes one endpoint (`addr:port`) sent, in file order. */
export function payloadFrom(file: PcapFile, src: string, sport: number): Buffer {
  return Buffer.concat(file.packets.filter((p) => p.src === src && p.sport === sport).map((p) => p.payload));
}

export function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

/** `-T fields` rows for HTTP messages: [method, uri, response code]. */
export function tsharkHttp(file: string): string[][] {
  return tshark(['-r', file, '-Y', 'http', '-T', 'fields', '-e', 'http.request.method', '-e', 'http.request.uri', '-e', 'http.response.code'])
    .split('\n').filter(Boolean).map((l) => l.split('\t'));
}

/** The TCP streams tshark sees, each as the bytes of both directions reassembled by
 * `-z follow,tcp,raw,N` (node 0 = the side that sent the SYN). */
export function tsharkFollow(file: string): { client: Buffer; server: Buffer }[] {
  const ids = new Set(tshark(['-r', file, '-T', 'fields', '-e', 'tcp.stream']).split('\n').filter(Boolean));
  return [...ids].map((id) => {
    const out = tshark(['-r', file, '-q', '-z', `follow,tcp,raw,${id}`]);
    const body = out.split(/^Node 1: .*$/m)[1]!.split(/^=+$/m)[0]!;
    const client: string[] = [];
    const server: string[] = [];
    for (const line of body.split('\n')) {
      if (!line.trim()) continue;
      (line.startsWith('\t') ? server : client).push(line.trim());
    }
    return { client: Buffer.from(client.join(''), 'hex'), server: Buffer.from(server.join(''), 'hex') };
  });
}

/** Frames tshark flags: bad IP/TCP checksums, TCP analysis problems, expert warnings. */
export function tsharkComplaints(file: string, httpPort?: number): string {
  // `httpPort`: decode that port as HTTP — a random listening port may be one tshark gives to
  // another protocol (a PUT on an IRC port is "IRC", and its CAB body a malformed IRC line).
  const decodeAs = httpPort ? ['-d', `tcp.port==${httpPort},http`] : [];
  return tshark(['-r', file, ...decodeAs, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-Y',
    'ip.checksum.status==2 || tcp.checksum.status==2 || tcp.analysis.flags || _ws.expert.severity >= warning']).trim();
}
