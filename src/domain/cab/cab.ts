// Lists a Microsoft cabinet ([MS-CAB] §2.1 CFHEADER, §2.2 CFFOLDER, §2.3 CFFILE): header,
// folders and files. The format's structures, constants, field decoders and the CFDATA checksum
// are in cab-format.ts (re-exported here, so importers of cab.ts see one module).
// Damaged input becomes `problems`, never an exception; whatever could be read is returned.
// Deliberately does not decompress anything (cab-extract.ts) and never touches fs.
import { overlapProblems } from './cab-overlap.js';
import {
  ATTRIBUTE_NAMES, ATTR_NAME_IS_UTF, CAB_FLAG_NEXT, CAB_FLAG_PREV, CAB_FLAG_RESERVE, CAB_MAX_NAME, CAB_SIGNATURE, CFFILE_SIZE, CFFOLDER_SIZE,
  CFHEADER_SIZE, IFOLD_CONTINUED_FROM_PREV, IFOLD_CONTINUED_PREV_AND_NEXT, IFOLD_CONTINUED_TO_NEXT, MAX_CAB_STRING, decodeDosDateTime,
  decodeTypeCompress, type Cab, type CabFile, type CabFolder, type CabHeader,
} from './cab-format.js';

export * from './cab-format.js';

/** Reads a NUL-terminated string of at most `max` bytes; undefined if no NUL in range. */
function readZ(buf: Buffer, pos: number, max: number): { bytes: Buffer; end: number } | undefined {
  const limit = Math.min(buf.length, pos + max + 1);
  // Search only up to the limit: from `pos` to the end would make a cabinet with 65,535
  // file records and few NULs quadratic.
  const at = pos < limit ? buf.subarray(pos, limit).indexOf(0) : -1;
  if (at < 0) return undefined;
  const nul = pos + at;
  return { bytes: buf.subarray(pos, nul), end: nul + 1 };
}

/** `total`: the cabinet's real length when `buf` is only its beginning (the directory part,
 * see cab-source.ts: the CFDATA blocks are read from a file later). */
export function parseCab(buf: Buffer, total = buf.length): Cab {
  const cab: Cab = { folders: [], files: [], length: total, problems: [] };
  const problem = (code: string, message: string, offset?: number): void => {
    cab.problems.push(offset === undefined ? { code, message } : { code, message, offset });
  };
  if (buf.length < 4 || buf.readUInt32LE(0) !== CAB_SIGNATURE) {
    problem('not-a-cab', 'not a cabinet: the first bytes are not "MSCF"', 0);
    return cab;
  }
  if (buf.length < CFHEADER_SIZE) {
    problem('truncated', `cabinet header cut short: ${buf.length} of ${CFHEADER_SIZE} bytes`, buf.length);
    return cab;
  }
  // §2.1 CFHEADER fixed part.
  const flags = buf.readUInt16LE(30);
  const h: CabHeader = {
    reserved1: buf.readUInt32LE(4), cbCabinet: buf.readUInt32LE(8), reserved2: buf.readUInt32LE(12),
    coffFiles: buf.readUInt32LE(16), reserved3: buf.readUInt32LE(20),
    versionMinor: buf[24]!, versionMajor: buf[25]!,
    cFolders: buf.readUInt16LE(26), cFiles: buf.readUInt16LE(28), flags,
    flagNames: [], setID: buf.readUInt16LE(32), iCabinet: buf.readUInt16LE(34),
    cbCFHeader: 0, cbCFFolder: 0, cbCFData: 0, reserve: Buffer.alloc(0),
  };
  if (flags & CAB_FLAG_PREV) h.flagNames.push('prev-cabinet');
  if (flags & CAB_FLAG_NEXT) h.flagNames.push('next-cabinet');
  if (flags & CAB_FLAG_RESERVE) h.flagNames.push('reserve-present');
  cab.header = h;

  if (h.cbCabinet !== total) {
    const why = h.cbCabinet > total
      ? `only ${total} were received (truncated)`
      : `${total - h.cbCabinet} extra bytes follow it`;
    problem('size-mismatch', `cbCabinet says ${h.cbCabinet} bytes but ${why}`, 8);
  }
  if (h.versionMajor !== 1 || h.versionMinor !== 3) {
    problem('unexpected-version', `cabinet version ${h.versionMajor}.${h.versionMinor} (expected 1.3)`, 24);
  }

  let pos = CFHEADER_SIZE;
  // §2.1: cbCFHeader/cbCFFolder/cbCFData and abReserve only when RESERVE_PRESENT.
  if (flags & CAB_FLAG_RESERVE) {
    if (buf.length < pos + 4) {
      problem('truncated', 'cabinet ends inside the reserve sizes', buf.length);
      return cab;
    }
    h.cbCFHeader = buf.readUInt16LE(pos);
    h.cbCFFolder = buf[pos + 2]!;
    h.cbCFData = buf[pos + 3]!;
    pos += 4;
    if (buf.length < pos + h.cbCFHeader) {
      problem('truncated', `cabinet ends inside the ${h.cbCFHeader}-byte header reserve`, buf.length);
      return cab;
    }
    h.reserve = Buffer.from(buf.subarray(pos, pos + h.cbCFHeader));
    pos += h.cbCFHeader;
  }
  // §2.1 szCabinetPrev/szDiskPrev, szCabinetNext/szDiskNext (NUL-terminated).
  const names: [number, 'prevCabinet' | 'nextCabinet', 'prevDisk' | 'nextDisk'][] = [
    [CAB_FLAG_PREV, 'prevCabinet', 'prevDisk'], [CAB_FLAG_NEXT, 'nextCabinet', 'nextDisk'],
  ];
  for (const [bit, cabKey, diskKey] of names) {
    if (!(flags & bit)) continue;
    for (const key of [cabKey, diskKey]) {
      const s = readZ(buf, pos, MAX_CAB_STRING);
      if (!s) {
        problem('truncated', `cabinet ends inside ${key}`, pos);
        return cab;
      }
      h[key] = s.bytes.toString('latin1');
      pos = s.end;
    }
  }
  if (flags & (CAB_FLAG_PREV | CAB_FLAG_NEXT)) {
    const set = [h.prevCabinet !== undefined ? `previous: ${h.prevCabinet}` : '',
      h.nextCabinet !== undefined ? `next: ${h.nextCabinet}` : ''].filter(Boolean).join(', ');
    problem('multi-cabinet', `this cabinet is part of a set (${set}); files continued from/to other cabinets cannot be extracted`);
  }

  // §2.2 CFFOLDER records follow the header.
  const folderSize = CFFOLDER_SIZE + h.cbCFFolder;
  for (let i = 0; i < h.cFolders; i++, pos += folderSize) {
    if (pos + folderSize > buf.length) {
      problem('truncated', `header lists ${h.cFolders} folders but only ${i} fit in the cabinet`, pos);
      break;
    }
    const typeCompress = buf.readUInt16LE(pos + 6);
    const f: CabFolder = {
      index: i, coffCabStart: buf.readUInt32LE(pos), cCFData: buf.readUInt16LE(pos + 4), typeCompress,
      compression: decodeTypeCompress(typeCompress),
      reserve: Buffer.from(buf.subarray(pos + CFFOLDER_SIZE, pos + folderSize)),
    };
    if (f.coffCabStart >= total && f.cCFData > 0) {
      problem('offset-out-of-range', `folder ${i} data starts at ${f.coffCabStart}, beyond the end (${total})`, pos);
    }
    if (f.compression.method === 'unknown') {
      problem('unknown-compression', `folder ${i} uses unknown compression type 0x${typeCompress.toString(16).padStart(4, '0')}`, pos + 6);
    }
    cab.folders.push(f);
  }

  // §2.3 CFFILE records at coffFiles. In the usual layout they end where CFDATA begins, so a
  // record reaching into the first folder's data means cFiles overstates the count.
  if (h.cFiles > 0 && h.coffFiles >= total) {
    problem('offset-out-of-range', `coffFiles ${h.coffFiles} is beyond the end (${total})`, 16);
    return cab;
  }
  const starts = cab.folders.map((f) => f.coffCabStart).filter((o) => o > h.coffFiles);
  // A loop, not Math.min with every start as an argument: cFolders can be 65,535, too many.
  let fileAreaEnd = buf.length;
  for (const s of starts) if (s < fileAreaEnd) fileAreaEnd = s;
  pos = h.coffFiles;
  for (let i = 0; i < h.cFiles; i++) {
    const name = pos + CFFILE_SIZE <= fileAreaEnd ? readZ(buf, pos + CFFILE_SIZE, CAB_MAX_NAME) : undefined;
    if (!name || name.end > fileAreaEnd) {
      const where = fileAreaEnd < total ? 'before the file data begins' : 'in the cabinet';
      problem('truncated', `header lists ${h.cFiles} files but only ${i} fit ${where}`, pos);
      break;
    }
    const attribs = buf.readUInt16LE(pos + 14);
    const utf8 = (attribs & ATTR_NAME_IS_UTF) !== 0;
    const dosDate = buf.readUInt16LE(pos + 10), dosTime = buf.readUInt16LE(pos + 12);
    const iFolder = buf.readUInt16LE(pos + 8);
    const file: CabFile = {
      index: i, name: name.bytes.toString(utf8 ? 'utf8' : 'latin1'),
      size: buf.readUInt32LE(pos), uoffFolderStart: buf.readUInt32LE(pos + 4), iFolder,
      date: decodeDosDateTime(dosDate, dosTime), dosDate, dosTime, attribs,
      attributes: ATTRIBUTE_NAMES.filter(([bit]) => attribs & bit).map(([, n]) => n),
      utf8, offset: pos,
    };
    // §2.3 iFolder continuation markers: FROM_PREV/PREV_AND_NEXT live in the first folder,
    // TO_NEXT in the last one.
    if (iFolder === IFOLD_CONTINUED_FROM_PREV) file.continued = 'from-prev';
    else if (iFolder === IFOLD_CONTINUED_TO_NEXT) file.continued = 'to-next';
    else if (iFolder === IFOLD_CONTINUED_PREV_AND_NEXT) file.continued = 'prev-and-next';
    const folder = file.continued === undefined ? iFolder
      : file.continued === 'to-next' ? h.cFolders - 1 : 0;
    if (folder >= 0 && folder < h.cFolders) file.folder = folder;
    else problem('bad-folder', `file ${i} (${file.name}) refers to folder ${iFolder} but there are ${h.cFolders}`, pos + 8);
    cab.files.push(file);
    pos = name.end;
  }
  for (const p of overlapProblems(cab.files)) cab.problems.push(p);
  return cab;
}
