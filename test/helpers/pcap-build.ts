// Hand-built capture files for the pcap reader tests: link-layer wrappers, classic pcap in
// both byte orders and resolutions, and pcapng blocks. Independent of the reader under test;
// IP/TCP packets come from the writer's builder (checked by tshark in its own tests).
import { parseIp, toTcpPacket, type Endpoint } from '../../src/sinks/pcap-packets.js';

export const ep = (ip: string, port: number): Endpoint => ({ ip: parseIp(ip)!, port });

/** One TCP/IP packet from `src` to `dst`. */
export function tcpPacket(src: Endpoint, dst: Endpoint, seq: number, flags: number, payload = Buffer.alloc(0), ack = 0): Buffer {
  return toTcpPacket({ src, dst, seq, ack, flags, payload });
}

export function ethernet(ip: Buffer, vlans: number[] = []): Buffer {
  const macs = Buffer.from('020000000002' + '020000000001', 'hex');
  const tags = vlans.map((v) => Buffer.from([0x81, 0x00, v >> 8, v & 0xff]));
  const type = Buffer.from(ip[0]! >> 4 === 6 ? [0x86, 0xdd] : [0x08, 0x00]);
  return Buffer.concat([macs, ...tags, type, ip]);
}

export function sll(ip: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(0, 0); // packet to us
  h.writeUInt16BE(1, 2); // ARPHRD_ETHER
  h.writeUInt16BE(6, 4);
  h.writeUInt16BE(ip[0]! >> 4 === 6 ? 0x86dd : 0x0800, 14);
  return Buffer.concat([h, ip]);
}

export function sll2(ip: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(ip[0]! >> 4 === 6 ? 0x86dd : 0x0800, 0);
  h.writeUInt32BE(2, 4); // interface index
  h.writeUInt16BE(1, 8);
  h[11] = 6;
  return Buffer.concat([h, ip]);
}

/** BSD loopback: family in the writer's byte order (NULL) or network order (LOOP). */
export function loopback(ip: Buffer, family: number, littleEndian: boolean): Buffer {
  const h = Buffer.alloc(4);
  if (littleEndian) h.writeUInt32LE(family);
  else h.writeUInt32BE(family);
  return Buffer.concat([h, ip]);
}

export interface RawFrame {
  /** Seconds and fraction (µs, or ns for nano files). */
  sec: number;
  frac: number;
  data: Buffer;
  origLen?: number;
}

export function classicPcap(frames: RawFrame[], opts: { linkType: number; le?: boolean; nano?: boolean }): Buffer {
  const le = opts.le ?? true;
  const u32 = (v: number) => { const b = Buffer.alloc(4); if (le) b.writeUInt32LE(v >>> 0); else b.writeUInt32BE(v >>> 0); return b; };
  const u16 = (v: number) => { const b = Buffer.alloc(2); if (le) b.writeUInt16LE(v); else b.writeUInt16BE(v); return b; };
  const parts = [u32(opts.nano ? 0xa1b23c4d : 0xa1b2c3d4), u16(2), u16(4), u32(0), u32(0), u32(65535), u32(opts.linkType)];
  for (const f of frames) parts.push(u32(f.sec), u32(f.frac), u32(f.data.length), u32(f.origLen ?? f.data.length), f.data);
  return Buffer.concat(parts);
}

/** pcapng blocks; every helper takes the section's byte order. */
export class Pcapng {
  private readonly parts: Buffer[] = [];
  constructor(private le = true) {}

  private u32(v: number): Buffer { const b = Buffer.alloc(4); if (this.le) b.writeUInt32LE(v >>> 0); else b.writeUInt32BE(v >>> 0); return b; }
  private u16(v: number): Buffer { const b = Buffer.alloc(2); if (this.le) b.writeUInt16LE(v); else b.writeUInt16BE(v); return b; }
  private pad(b: Buffer): Buffer { return Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]); }

  block(type: number, body: Buffer): this {
    const len = 12 + body.length;
    this.parts.push(this.u32(type), this.u32(len), body, this.u32(len));
    return this;
  }

  section(le = this.le): this {
    this.le = le;
    return this.block(0x0a0d0d0a, Buffer.concat([this.u32(0x1a2b3c4d), this.u16(1), this.u16(0), Buffer.alloc(8, 0xff)]));
  }

  iface(linkType: number, opts: { tsresol?: number; tsoffset?: bigint } = {}): this {
    const o: Buffer[] = [];
    if (opts.tsresol !== undefined) o.push(this.u16(9), this.u16(1), this.pad(Buffer.from([opts.tsresol])));
    if (opts.tsoffset !== undefined) {
      const v = Buffer.alloc(8);
      if (this.le) v.writeBigInt64LE(opts.tsoffset); else v.writeBigInt64BE(opts.tsoffset);
      o.push(this.u16(14), this.u16(8), v);
    }
    if (o.length) o.push(this.u16(0), this.u16(0));
    return this.block(1, Buffer.concat([this.u16(linkType), this.u16(0), this.u32(0), ...o]));
  }

  /** Enhanced packet block; `units` in the interface's timestamp resolution. */
  epb(ifId: number, units: bigint, data: Buffer, origLen = data.length): this {
    return this.block(6, Buffer.concat([this.u32(ifId), this.u32(Number(units >> 32n)), this.u32(Number(units & 0xffffffffn)),
      this.u32(data.length), this.u32(origLen), this.pad(data)]));
  }

  spb(data: Buffer): this {
    return this.block(3, Buffer.concat([this.u32(data.length), this.pad(data)]));
  }

  opb(ifId: number, units: bigint, data: Buffer): this {
    return this.block(2, Buffer.concat([this.u16(ifId), this.u16(0), this.u32(Number(units >> 32n)), this.u32(Number(units & 0xffffffffn)),
      this.u32(data.length), this.u32(data.length), this.pad(data)]));
  }

  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}
