// What every capture container (classic pcap, pcapng) yields: link-layer frames with their
// timestamp and link type, plus notices about the file itself. Also the magic-number test
// that tells a capture from raw bytes. Pure: takes Buffers, returns plain objects.

/** One captured frame, as a capture tool stored it. */
export interface Frame {
  /** 1-based frame number, counted like Wireshark/tshark do. */
  index: number;
  /** Milliseconds since the Unix epoch (fractional: micro/nanosecond precision kept). */
  ts: number;
  /** LINKTYPE_* value of the interface it was captured on. */
  linkType: number;
  /** The captured bytes (may be shorter than the frame on the wire: see `origLen`). */
  data: Buffer;
  /** Length of the frame on the wire; larger than `data.length` when the snaplen cut it. */
  origLen: number;
}

/** Something wrong with the capture file itself (not with the traffic in it). */
export interface FileNotice {
  code: string;
  message: string;
  /** Frame number it concerns, when it concerns one. */
  frame?: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';

export interface ContainerResult {
  format: CaptureFormat;
  frames: Frame[];
  notices: FileNotice[];
}

const PCAP_MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1]);
const PCAPNG_SHB = 0x0a0d0d0a;

/** Which capture format `head` (the first ≥ 4 bytes of a file) starts with, by magic number
 * alone — the extension says nothing. Undefined for anything else (raw bytes). */
export function detectCaptureFormat(head: Buffer): CaptureFormat | undefined {
  if (head.length < 4) return undefined;
  const magic = head.readUInt32BE(0);
  if (PCAP_MAGICS.has(magic)) return 'pcap';
  // The SHB block type is a palindrome, the same in both byte orders.
  if (magic === PCAPNG_SHB) return 'pcapng';
  return undefined;
}

/** Milliseconds from whole seconds and a fraction given in `unitsPerSecond`. */
export function toMs(seconds: number, fraction: number, unitsPerSecond: number): number {
  return seconds * 1000 + (fraction * 1000) / unitsPerSecond;
}
