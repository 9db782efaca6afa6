// A whole capture file (classic pcap or pcapng, told apart by magic) to its TCP connections.
// The container is parsed into frames first, then the frames into connections. Pure: the
// caller reads the file.
import { parseClassicPcap } from './classic.js';
import { parsePcapng } from './pcapng.js';
import { detectCaptureFormat, type CaptureFormat, type FileNotice } from './frames.js';
import { toTcpCapture, type TcpCapture, type TcpFilter } from './connections.js';

export { detectCaptureFormat } from './frames.js';
export type { CapturedConnection, CaptureStep, TcpFilter } from './connections.js';

/** Port WER clients send to; the default filter. */
export const WER_PORT = 1273;

export interface ParsedCapture extends TcpCapture {
  format: CaptureFormat;
  frames: number;
}

/** Parses `buf` as pcap or pcapng; undefined when it is neither (treat it as raw bytes). */
export function parseCapture(buf: Buffer, filter: TcpFilter = { port: WER_PORT }): ParsedCapture | undefined {
  const format = detectCaptureFormat(buf);
  if (!format) return undefined;
  const c = format === 'pcap' ? parseClassicPcap(buf) : parsePcapng(buf);
  const tcp = toTcpCapture(c.frames, filter);
  const notices: FileNotice[] = [...c.notices, ...tcp.notices];
  return { ...tcp, notices, format, frames: c.frames.length };
}

