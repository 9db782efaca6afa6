// Seeds made in code, so every target has realistic starting points even without the files
// beside the repo: level 1 requests of each kind (UTF-16LE XML), the level 1 answer, level 2
// PUTs carrying MSZIP, LZX and stored CABs with metadata, Version.txt and a minidump, a bare
// minidump, and small hand-made HTTP oddities. Fixed times, so the seeds never change. Pure.
import { encodeUtf16, writeLevel1Request, writeReportXml } from '../../domain/report/report-writer.js';
import { makeCab, makeReport } from '../sim/kinds.js';
import { writeCab } from '../../domain/cab/cab-writer.js';
import { writeMinidump } from '../../domain/minidump/minidump-writer.js';
import { extractCab } from '../../domain/cab/cab-extract.js';
import type { SeedFile } from './target.js';

const T = Date.UTC(2024, 4, 14, 9, 26, 54);

function put(path: string, body: Buffer): Buffer {
  const head = `PUT ${path} HTTP/1.1\r\nUser-Agent: MSDW\r\nHost: cer.example.test:1273\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

const LEVEL1_ANSWER = 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 112\r\n\r\n'
  + 'Bucket=1234567\r\nBucketTable=5\r\nResponse=http://x.example.test/\r\niData=1\r\nDumpFile=\\PersistedCabs\\Generic\\a.cab\r\n\r\n';

export function generatedSeeds(): SeedFile[] {
  const out: SeedFile[] = [];
  for (const kind of ['appcrash', 'hang', 'bluescreen', 'generic'] as const) {
    const report = makeReport(kind, T);
    out.push({ name: `gen-level1-${kind}.http`, bytes: writeLevel1Request('cer.example.test:1273', encodeUtf16(writeReportXml(report))) });
    const cab = makeCab(kind, report, T);
    out.push({ name: `gen-${kind}.cab`, bytes: cab });
    if (kind === 'appcrash') {
      out.push({ name: `gen-put-${kind}.http`, bytes: put('/PersistedCabs/Generic/APPCRASH/x.cab', cab) });
      // the same files, stored: field and payload mutations reach the minidump directly
      const files = extractCab(cab).map((f, i) => ({ name: f.name, data: f.data ?? Buffer.alloc(i), date: new Date(T) }));
      const stored = writeCab(files, { compression: 'none' });
      out.push({ name: 'gen-stored.cab', bytes: stored }, { name: 'gen-put-stored.http', bytes: put('/PersistedCabs/x.cab', stored) });
      // LZX: the default (window 2^21, verbatim or uncompressed blocks), and a small window with
      // E8 translation, aligned-offset blocks spanning CFDATA boundaries, then uncompressed ones.
      out.push({ name: 'gen-lzx.cab', bytes: writeCab(files, { compression: 'lzx' }) });
      for (const blocks of ['aligned', 'uncompressed'] as const) {
        const lzx = { windowBits: 15, e8TranslationSize: 12_000_000, framesPerBlock: 2, blocks };
        out.push({ name: `gen-lzx-${blocks}.cab`, bytes: writeCab(files, { compression: 'lzx', lzx }) });
      }
      const dump = files.find((f) => f.data.subarray(0, 4).toString('latin1') === 'MDMP');
      if (dump) out.push({ name: 'gen-crash.mdmp', bytes: dump.data });
    }
  }
  out.push({
    name: 'gen-minidump-sp.mdmp',
    bytes: writeMinidump({
      time: new Date(T), arch: 'x86', os: { major: 6, minor: 1, build: 7601, sp: 'Service Pack 1' }, processors: 2,
      exception: { code: 0x80000003, address: 0x401000, threadId: 7, parameters: [0n, 0x401000n] },
      modules: [{ name: 'C:\\a.exe', base: 0x400000, size: 0x10000, timestamp: 0x4ce7979d, version: '1.2.3.4' }],
      threads: 3,
    }),
  });
  // a stack to walk: x64 context, an RBP record, a scanned return address, CodeView, names
  const stackWords = Buffer.alloc(0x200);
  stackWords.writeBigUInt64LE(0x1100n, 0x40); // [rbp]: the caller's rbp
  stackWords.writeBigUInt64LE(0x7ff6a0001234n, 0x48); // [rbp+8] → return into a.exe
  stackWords.writeBigUInt64LE(0x7ffb5e004d61n, 0x100); // found by the scan
  out.push({
    name: 'gen-minidump-stack.mdmp',
    bytes: writeMinidump({
      time: new Date(T), arch: 'AMD64', os: { major: 10, minor: 0, build: 22631 }, processors: 4,
      exception: { code: 0xc0000005, address: 0x7ff6a0001000n, threadId: 9, parameters: [0n, 8n], context: { ip: 0x7ff6a0001000n, sp: 0x1000n, fp: 0x1040n } },
      modules: [
        { name: 'C:\\a.exe', base: 0x7ff6a0000000n, size: 0x10000, timestamp: 0x4ce7979d, pdb: { name: 'a.pdb', guid: '0123456789abcdef0123456789abcdef', age: 1 } },
        { name: 'C:\\Windows\\System32\\ntdll.dll', base: 0x7ffb5e000000n, size: 0x1f8000, timestamp: 0x5e8a2b1c },
      ],
      threads: 2, threadNames: { 0: 'main' }, stack: { start: 0x1000n, data: stackWords },
      unloaded: [{ name: 'C:\\gone.dll', base: 0x7ff6b0000000n, size: 0x1000, timestamp: 0 }],
      process: { id: 42, created: new Date(T - 60_000) },
    }),
  });
  out.push(
    { name: 'gen-level1-answer.http', bytes: Buffer.from(LEVEL1_ANSWER, 'latin1') },
    { name: 'gen-chunked.http', bytes: Buffer.from('POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.1\r\n\r\n', 'latin1') },
    { name: 'gen-interim.http', bytes: Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 204 No\r\n\r\n', 'latin1') },
    { name: 'gen-loose.http', bytes: Buffer.from('\r\nGET /a HTTP/1.1\nX: a\n b\n\nHTTP/1.0 200 OK\r\n\r\nrest', 'latin1') },
    { name: 'gen-metadata.xml', bytes: encodeUtf16('<?xml version="1.0" encoding="UTF-16"?><WERReportMetadata><OSVersionInformation><WindowsNTVersion>10.0</WindowsNTVersion><Build>22631</Build></OSVersionInformation><ProblemSignatures><EventType>APPCRASH</EventType><Parameter0>a.exe</Parameter0></ProblemSignatures></WERReportMetadata>') },
  );
  return out;
}
