// pcapng (draft-ietf-opsawg-pcapng): sections (SHB) in either byte order, interfaces (IDB) with
// if_tsresol and if_tsoffset, Enhanced (EPB), Simple (SPB) and obsolete (OPB) packet blocks.
// Every other block type (name resolution, statistics, custom, decryption secrets...) is
// skipped by its length. Several sections and interfaces per file are fine: interface ids are
// per section. A block cut short by the end of the file ends the frames with a notice.
import { toMs, type ContainerResult, type Frame, type FileNotice } from './frames.js';

const SHB = 0x0a0d0d0a;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_END = 0;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;
const MAX_BLOCK = 256 * 1024 * 1024;

interface Iface {
  linkType: number;
  /** Timestamp units per second (10^6 unless if_tsresol says otherwise). */
  unitsPerSecond: bigint;
  /** if_tsoffset: seconds added to every timestamp. */
  offsetSeconds: bigint;
}

class Reader {
  constructor(readonly buf: Buffer, public le: boolean) {}
  u16(off: number): number { return this.le ? this.buf.readUInt16LE(off) : this.buf.readUInt16BE(off); }
  u32(off: number): number { return this.le ? this.buf.readUInt32LE(off) : this.buf.readUInt32BE(off); }
}

export function parsePcapng(buf: Buffer): ContainerResult {
  const frames: Frame[] = [];
  const notices: FileNotice[] = [];
  const r = new Reader(buf, true);
  let ifaces: Iface[] = [];
  let lastTs = 0;
  let off = 0;
  const stop = (code: string, message: string) => notices.push({ code, message: `${message}; ${frames.length} frames read` });
  while (off < buf.length) {
    if (off + 12 > buf.length) { stop('pcap-truncated', `the file ends inside a block header at byte ${off} (capture cut off)`); break; }
    const type = buf.readUInt32LE(off);
    if (type === SHB) {
      // The byte-order magic after the length decides how this whole section is read.
      const bom = buf.readUInt32LE(off + 8);
      if (bom === BYTE_ORDER_MAGIC) r.le = true;
      else if (bom === 0x4d3c2b1a) r.le = false;
      else { stop('pcap-corrupt', `section header at byte ${off} has no valid byte-order magic`); break; }
      ifaces = [];
    }
    const len = r.u32(off + 4);
    if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK) { stop('pcap-corrupt', `block at byte ${off} has an impossible length ${len} — the file is damaged from here on`); break; }
    if (off + len > buf.length) { stop('pcap-truncated', `the file ends inside a block at byte ${off} (${buf.length - off} of ${len} bytes; capture cut off)`); break; }
    const body = off + 8;
    const end = off + len - 4;
    const btype = r.u32(off);
    if (btype === IDB) ifaces.push(readIdb(r, body, end));
    else if (btype === EPB || btype === OPB) {
      const epb = btype === EPB;
      const ifId = epb ? r.u32(body) : r.u16(body);
      const iface = ifaces[ifId];
      const caplen = r.u32(body + 12);
      const origLen = r.u32(body + 16);
      const data = body + 20;
      if (!iface) notices.push({ code: 'pcap-corrupt', frame: frames.length + 1, message: `a packet block names interface ${ifId}, which this section never described; skipped` });
      else if (data + caplen > end) notices.push({ code: 'pcap-corrupt', frame: frames.length + 1, message: `a packet block claims ${caplen} bytes but holds ${end - data}; skipped` });
      else {
        const units = (BigInt(r.u32(body + 4)) << 32n) | BigInt(r.u32(body + 8));
        lastTs = toTs(units, iface);
        frames.push({ index: frames.length + 1, ts: lastTs, linkType: iface.linkType, data: buf.subarray(data, data + caplen), origLen: Math.max(origLen, caplen) });
      }
    } else if (btype === SPB) {
      const iface = ifaces[0];
      const origLen = r.u32(body);
      const caplen = Math.min(origLen, end - body - 4);
      // A simple packet block has no timestamp: it gets the previous packet's.
      if (iface) frames.push({ index: frames.length + 1, ts: lastTs, linkType: iface.linkType, data: buf.subarray(body + 4, body + 4 + caplen), origLen });
      else notices.push({ code: 'pcap-corrupt', frame: frames.length + 1, message: 'a simple packet block comes before any interface description; skipped' });
    }
    off += len;
  }
  return { format: 'pcapng', frames, notices };
}

function readIdb(r: Reader, body: number, end: number): Iface {
  const iface: Iface = { linkType: r.u16(body), unitsPerSecond: 1_000_000n, offsetSeconds: 0n };
  for (let o = body + 8; o + 4 <= end;) {
    const code = r.u16(o);
    const olen = r.u16(o + 2);
    if (code === OPT_END || o + 4 + olen > end) break;
    if (code === IF_TSRESOL && olen >= 1) {
      // High bit clear: 10^-n seconds; set: 2^-n seconds.
      const v = r.buf[o + 4]!;
      iface.unitsPerSecond = v & 0x80 ? 1n << BigInt(v & 0x7f) : 10n ** BigInt(v);
    } else if (code === IF_TSOFFSET && olen >= 8) {
      iface.offsetSeconds = r.le ? r.buf.readBigInt64LE(o + 4) : r.buf.readBigInt64BE(o + 4);
    }
    o += 4 + ((olen + 3) & ~3);
  }
  return iface;
}

function toTs(units: bigint, iface: Iface): number {
  const sec = units / iface.unitsPerSecond;
  const frac = units % iface.unitsPerSecond;
  return toMs(Number(sec + iface.offsetSeconds), Number(frac), Number(iface.unitsPerSecond));
}
