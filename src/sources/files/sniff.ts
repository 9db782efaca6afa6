// What a file that is clearly not HTTP looks like, from its first bytes, and what to run
// instead — so `decode` of a CAB, a minidump, encrypted traffic or an archive says so in one
// line instead of printing kilobytes of escapes. Pure: bytes in, words out. TLS is not here:
// the framer already names a ClientHello in its bad-request-line problem (and the one-line view
// shows the bytes after it as one line), and pcap files go to the pcap reader before this.

export interface NotHttp {
  what: string;
  hint: string;
}

export function sniffNotHttp(head: Buffer, name: string): NotHttp | undefined {
  const s = head.toString('latin1', 0, Math.min(head.length, 8));
  if (s.startsWith('MSCF')) return { what: 'a CAB (a level-2 upload)', hint: `run: wer-sniff cab ${name}` };
  if (s.startsWith('MDMP')) return { what: 'a minidump', hint: 'wer-sniff shows minidumps inside the CAB they came in: wer-sniff cab <file.cab>' };
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return { what: 'gzip-compressed data', hint: `unpack it first: gunzip -c ${name} | wer-sniff decode` };
  if (s.startsWith('PK\x03\x04')) return { what: 'a zip archive', hint: 'unzip it first and decode the files inside' };
  return undefined;
}
