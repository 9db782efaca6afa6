// Captures written by a real tool, text2pcap (Wireshark's), from packets the test chooses: the
// TCP/IP headers, sequence and acknowledgement numbers are text2pcap's (with -T), not ours.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** One TCP segment's payload: I = client → server, O = back. */
export type Packet = ['I' | 'O', Buffer];

/** `buf` as packets of at most `size` bytes in direction `dir`. */
export function segments(dir: 'I' | 'O', buf: Buffer, size: number): Packet[] {
  const out: Packet[] = [];
  for (let i = 0; i < buf.length; i += size) out.push([dir, buf.subarray(i, i + size)]);
  return out;
}

/** text2pcap's hexdump input (`-D`: each packet after its I/O line), 16 bytes a line. */
export function hexdump(packets: Packet[]): string {
  const lines: string[] = [];
  for (const [dir, bytes] of packets) {
    lines.push(dir);
    for (let i = 0; i < bytes.length; i += 16) {
      lines.push(`${i.toString(16).padStart(6, '0')} ${[...bytes.subarray(i, i + 16)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`);
    }
    lines.push('');
  }
  return lines.join('\n') + '\n';
}

/** Runs `text2pcap -q -D <args>` on `packets`, writing the capture to `out` (its input beside
 * it as `out.txt`); returns `out`. Throws with text2pcap's stderr when it fails. */
export function text2pcap(packets: Packet[], out: string, args: string[]): string {
  const txt = `${out}.txt`;
  fs.writeFileSync(txt, hexdump(packets));
  const r = spawnSync('text2pcap', ['-q', '-D', ...args, txt, out], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`text2pcap failed: ${r.error?.message ?? r.stderr}`);
  return out;
}
