// FileVer.txt, wql.txt, registry.txt and memory.hdmp in a level-2 CAB: summarised in the CAB
// view (and so in --json), shown by the renderer. The fixtures follow what the Windows client
// is known to write (UTF-16LE after a BOM; wql.txt as the MOF text of each object; registry.txt
// as CRLF + key path + values), with the parts nobody has published (a value line, a file's
// version block) in a plausible layout — see src/domain/report/wer-data-files.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFileVer, parseRegistryTxt, parseWql, lineNaming, werDataFileKind } from '../../../src/domain/report/wer-data-files.js';
import { parseCabView } from '../../../src/domain/cab/cab-view.js';
import { writeCab } from '../../../src/domain/cab/cab-writer.js';
import { writeMinidump } from '../../../src/domain/minidump/minidump-writer.js';
import { parseMinidump, PagedBytes } from '../../../src/domain/minidump/minidump.js';
import { formatCabView } from '../../../src/render/format-cab-view.js';
import { plainPaint } from '../../../src/render/paint.js';
import { inspectCabFile } from '../../../src/pipeline/workers/cab-inspect.js';
import { X64_CRASH } from '../minidump/stack-fixture.js';

const utf16 = (s: string): Buffer => Buffer.from('\ufeff' + s.replace(/\r?\n/g, '\r\n'), 'utf16le');

const FILEVER = `C:\\Program Files\\Widget\\widget.exe
  FileVersion: 3.2.1.0  ProductVersion: 3.2.1.0  CompanyName: Widget Co.  Size: 2097152
C:\\Program Files\\Widget\\render.dll
  FileVersion: 3.2.1.0  ProductVersion: 3.2.1.0  CompanyName: Widget Co.  Size: 524288
C:\\Windows\\System32\\render.dll.mui
  FileVersion: 10.0.19041.1  Size: 4096
`;

// GetObjectText output: a blank line, `instance of <Class>`, `{`, tab-indented properties, `};`.
const WQL = `
instance of Win32_Processor
{
\tCaption = "Intel64 Family 6 Model 158 Stepping 10";
\tFamily = 198;
\tName = "Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz";
};

instance of Win32_Processor
{
\tCaption = "Intel64 Family 6 Model 158 Stepping 10";
\tFamily = 198;
\tName = "Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz";
};

instance of Win32_OperatingSystem
{
\tBuildNumber = "19045";
\tCaption = "Microsoft Windows 10 Pro";
\tMUILanguages = {"en-US"};
\tStatus = "OK";
};
`;

const REGISTRY = `
HKEY_LOCAL_MACHINE\\SYSTEM\\Setup
CmdLine    REG_SZ    setup -newsetup
SetupType    REG_DWORD    0x0
SystemSetupInProgress    REG_DWORD    0x0

HKEY_LOCAL_MACHINE\\SYSTEM\\Setup\\Status
HKEY_LOCAL_MACHINE\\SYSTEM\\Setup\\Status\\SysprepStatus
GeneralizationState    REG_DWORD    0x7
`;

describe('the parsers', () => {
  it('tell the files by name, in any folder and case', () => {
    expect(werDataFileKind('FileVer.txt')).toBe('file-versions');
    expect(werDataFileKind('x\\WQL.TXT')).toBe('wql');
    expect(werDataFileKind('a/registry.txt')).toBe('registry');
    expect(werDataFileKind('Report.wer')).toBeUndefined();
  });

  it('FileVer.txt: files named by path, and the line naming a module (whole names only)', () => {
    const s = parseFileVer(FILEVER);
    expect(s).toMatchObject({ files: 3, lines: 6 });
    expect(s.paths[1]).toBe('C:\\Program Files\\Widget\\render.dll');
    expect(lineNaming(FILEVER, 'RENDER.DLL')).toBe('C:\\Program Files\\Widget\\render.dll');
    expect(lineNaming(FILEVER, 'der.dll')).toBeUndefined();
  });

  it('wql.txt: objects per class, properties of the first object, embedded braces not counted as objects', () => {
    const s = parseWql(WQL + '\ninstance of Win32_Thing\n{\n\tInner = instance of Win32_Other\n{\n\tX = 1;\n};\n\tY = 2;\n};\n');
    expect(s.objects).toBe(4);
    expect(s.classes).toEqual([
      { name: 'Win32_Processor', objects: 2, properties: 3 },
      { name: 'Win32_OperatingSystem', objects: 1, properties: 4 },
      { name: 'Win32_Thing', objects: 1, properties: 2 },
    ]);
  });

  it('registry.txt: keys, and the value lines under each', () => {
    expect(parseRegistryTxt(REGISTRY)).toEqual({
      kind: 'registry', keyCount: 3,
      keys: [
        { path: 'HKEY_LOCAL_MACHINE\\SYSTEM\\Setup', values: 3 },
        { path: 'HKEY_LOCAL_MACHINE\\SYSTEM\\Setup\\Status', values: 0 },
        { path: 'HKEY_LOCAL_MACHINE\\SYSTEM\\Setup\\Status\\SysprepStatus', values: 1 },
      ],
    });
  });

  it('lists stay capped while counts stay exact', () => {
    const many = Array.from({ length: 500 }, (_, i) => `HKLM\\SOFTWARE\\K${i}\r\nV REG_SZ x`).join('\r\n');
    const s = parseRegistryTxt(many);
    expect(s.keyCount).toBe(500);
    expect(s.keys.length).toBe(32);
  });
});

describe('in the CAB view', () => {
  // The dump comes after FileVer.txt: the faulting module is matched once every file is read.
  const cab = writeCab([
    { name: 'FileVer.txt', data: utf16(FILEVER) },
    { name: 'wql.txt', data: utf16(WQL) },
    { name: 'registry.txt', data: utf16(REGISTRY) },
    { name: 'WER1.tmp.mdmp', data: writeMinidump(X64_CRASH) },
  ], { compression: 'mszip' });

  it('each file gets its summary; FileVer.txt names the faulting module\'s line; JSON carries them', () => {
    const view = parseCabView(cab);
    const [fv, wql, reg] = view.entries;
    expect(fv!.dataFile).toMatchObject({ kind: 'file-versions', files: 3, faultingModule: 'C:\\Program Files\\Widget\\render.dll' });
    expect(wql!.dataFile).toMatchObject({ kind: 'wql', objects: 3 });
    expect(reg!.dataFile).toMatchObject({ kind: 'registry', keyCount: 3 });
    const json = JSON.parse(JSON.stringify(view.entries));
    expect(json[1].dataFile.classes[0]).toEqual({ name: 'Win32_Processor', objects: 2, properties: 3 });
  });

  it('the terminal view shows them', () => {
    const text = formatCabView(parseCabView(cab), plainPaint).join('\n');
    expect(text).toContain('File versions · 3 files named');
    expect(text).toContain('Faulting  C:\\Program Files\\Widget\\render.dll');
    expect(text).toContain('WQL results · 3 objects in 2 classes');
    expect(text).toContain('Win32_Processor  2 objects · 3 properties');
    expect(text).toContain('Registry · 3 keys');
    expect(text).toContain('HKEY_LOCAL_MACHINE\\SYSTEM\\Setup  3 values');
  });

  it('without a dump, Report.wer\'s "Fault Module Name" picks the line', () => {
    const wer = utf16('Version=1\nEventType=APPCRASH\nSig[3].Name=Fault Module Name\nSig[3].Value=widget.exe\n');
    const view = parseCabView(writeCab([{ name: 'FileVer.txt', data: utf16(FILEVER) }, { name: 'Report.wer', data: wer }], { compression: 'none' }));
    expect(view.entries[0]!.dataFile).toMatchObject({ faultingModule: 'C:\\Program Files\\Widget\\widget.exe' });
  });
});

describe('memory.hdmp, a heap dump', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-sniff-hdmp-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const MiB = 1024 * 1024;
  // 1,600 ranges of 40 KiB (64 MB) as a Memory64List, as a heap dump carries them.
  const ranges = Array.from({ length: 1600 }, (_, i) => {
    const data = Buffer.alloc(40 * 1024);
    for (let k = 0; k < data.length; k += 4) data.writeUInt32LE((Math.imul(i + 1, 2654435761) ^ k) >>> 0, k);
    return { start: 0x10000000n + BigInt(i) * 0x20000n, data };
  });
  const dump = writeMinidump({ ...X64_CRASH, memory: ranges, memory64: true });
  // The crashing thread's 4 KiB stack is one more range of the list.
  const captured = 1600 * 40 * 1024 + 4096;

  it('its summary counts the captured memory from the descriptors, reading a sliver of the file', () => {
    let read = 0;
    const paged = new PagedBytes(dump.length, (pos, len) => { read += len; return Buffer.from(dump.subarray(pos, pos + len)); });
    const sum = parseMinidump(paged);
    expect(sum.memory).toEqual({ list: 'Memory64List', ranges: 1601, claimed: 1601, bytes: captured });
    expect(sum).toEqual(parseMinidump(dump));
    expect(dump.length).toBeGreaterThan(62 * MiB);
    expect(read).toBeLessThan(2 * MiB);
  });

  it('in a CAB on disk it is summarised from its extracted copy, and shown with its size', () => {
    const file = path.join(dir, 'hang.cab');
    fs.writeFileSync(file, writeCab([{ name: 'memory.hdmp', data: dump }], { compression: 'none' }));
    const view = inspectCabFile(file, { spoolDir: dir }).view;
    const md = view.entries[0]!.minidump!;
    expect(md.partial).toBeUndefined();
    expect(md.memory?.bytes).toBe(captured);
    expect(formatCabView(view, plainPaint).join('\n')).toMatch(/62\.5 MiB of memory in 1,601 ranges/);
  });
});
