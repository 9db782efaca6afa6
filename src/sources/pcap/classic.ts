// Classic libpcap files (draft-ietf-opsawg-pcap): both byte orders, microsecond (a1b2c3d4) and
// nanosecond (a1b23c4d) magics. A record cut short by the end of the file (a capture killed
// mid-write) ends the frames with a notice; everything before it is kept.
import { toMs, type ContainerResult, type Frame, type FileNotice } from './frames.js';

const FILE_HEADER = 24;
const RECORD_HEADER = 16;
/** A record claiming more than this is corruption, not a packet. */
const MAX_RECORD = 256 * 1024 * 1024;

export function parseClassicPcap(buf: Buffer): ContainerResult {
  const notices: FileNotice[] = [];
  const frames: Frame[] = [];
  if (buf.length < FILE_HEADER) {
    notices.push({ code: 'pcap-truncated', message: `pcap file header cut short (${buf.length} of ${FILE_HEADER} bytes)` });
    return { format: 'pcap', frames, notices };
  }
  const magicBE = buf.readUInt32BE(0);
  const le = magicBE === 0xd4c3b2a1 || magicBE === 0x4d3cb2a1;
  const nano = magicBE === 0xa1b23c4d || magicBE === 0x4d3cb2a1;
  const u32 = (off: number) => (le ? buf.readUInt32LE(off) : buf.readUInt32BE(off));
  const i32 = (off: number) => (le ? buf.readInt32LE(off) : buf.readInt32BE(off));
  const thisZone = i32(8);
  // The upper bits of the link-type field carry FCS information (draft §4); the type is the low 16.
  const linkType = u32(20) & 0xffff;
  const unitsPerSecond = nano ? 1e9 : 1e6;
  let off = FILE_HEADER;
  while (off < buf.length) {
    const index = frames.length + 1;
    if (off + RECORD_HEADER > buf.length) {
      notices.push({ code: 'pcap-truncated', frame: index, message: `the file ends inside the header of frame ${index} (capture cut off); ${index - 1} frames read` });
      break;
    }
    const sec = u32(off);
    const frac = u32(off + 4);
    const incl = u32(off + 8);
    const orig = u32(off + 12);
    if (incl > MAX_RECORD) {
      notices.push({ code: 'pcap-corrupt', frame: index, message: `frame ${index} claims ${incl} bytes — the file is damaged from here on; ${index - 1} frames read` });
      break;
    }
    const start = off + RECORD_HEADER;
    if (start + incl > buf.length) {
      notices.push({ code: 'pcap-truncated', frame: index, message: `the file ends inside frame ${index} (${buf.length - start} of ${incl} bytes; capture cut off); ${index - 1} frames read` });
      break;
    }
    frames.push({ index, ts: toMs(sec + thisZone, frac, unitsPerSecond), linkType, data: buf.subarray(start, start + incl), origLen: Math.max(orig, incl) });
    off = start + incl;
  }
  return { format: 'pcap', frames, notices };
}
