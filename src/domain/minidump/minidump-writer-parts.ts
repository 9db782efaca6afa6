// Byte builders for writeMinidump's optional parts (winnt.h / minidumpapiset.h layouts):
// CPU CONTEXT records for x86, AMD64 and ARM64 holding the registers a stack walk starts
// from, CodeView RSDS records, and MINIDUMP_STRINGs.

export interface ContextSpec {
  /** Instruction pointer (EIP / RIP / PC). */
  ip: bigint | number;
  /** Stack pointer (ESP / RSP / SP). */
  sp: bigint | number;
  /** Frame pointer (EBP / RBP / X29); default 0. */
  fp?: bigint | number;
  /** ARM64 link register X30. */
  lr?: bigint | number;
}

export interface PdbSpec {
  /** PdbFileName as stored, e.g. 'C:\\build\\render.pdb' or 'render.pdb'. */
  name: string;
  /** 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx' (registry form, without braces). */
  guid: string;
  age: number;
}

/** MINIDUMP_STRING: u32 Length (bytes, without the terminator), UTF-16LE, then a NUL WCHAR. */
export function minidumpString(s: string): Buffer {
  const text = Buffer.from(s, 'utf16le');
  const b = Buffer.alloc(4 + text.length + 2);
  b.writeUInt32LE(text.length, 0);
  text.copy(b, 4);
  return b;
}

/** The CONTEXT for PROCESSOR_ARCHITECTURE_* `arch` (0 x86, 9 AMD64, 12 ARM64). */
export function contextBytes(arch: number, c: ContextSpec): Buffer {
  const fp = BigInt(c.fp ?? 0);
  if (arch === 0) {
    const b = Buffer.alloc(716);
    b.writeUInt32LE(0x00010007, 0); // CONTEXT_i386 | CONTROL | INTEGER | SEGMENTS
    b.writeUInt32LE(Number(fp & 0xffffffffn), 180); // Ebp
    b.writeUInt32LE(Number(BigInt(c.ip) & 0xffffffffn), 184); // Eip
    b.writeUInt32LE(0x23, 188); // SegCs (user mode)
    b.writeUInt32LE(Number(BigInt(c.sp) & 0xffffffffn), 196); // Esp
    b.writeUInt32LE(0x2b, 200); // SegSs
    return b;
  }
  if (arch === 9) {
    const b = Buffer.alloc(1232);
    b.writeUInt32LE(0x0010000b, 48); // CONTEXT_AMD64 | CONTROL | INTEGER | FLOATING_POINT
    b.writeUInt16LE(0x33, 56); // SegCs
    b.writeUInt16LE(0x2b, 66); // SegSs
    b.writeBigUInt64LE(BigInt(c.sp), 152); // Rsp
    b.writeBigUInt64LE(fp, 160); // Rbp
    b.writeBigUInt64LE(BigInt(c.ip), 248); // Rip
    return b;
  }
  if (arch === 12) {
    const b = Buffer.alloc(912);
    b.writeUInt32LE(0x00400003, 0); // CONTEXT_ARM64 | CONTROL | INTEGER
    b.writeBigUInt64LE(fp, 240); // Fp (X29)
    b.writeBigUInt64LE(BigInt(c.lr ?? 0), 248); // Lr (X30)
    b.writeBigUInt64LE(BigInt(c.sp), 256); // Sp
    b.writeBigUInt64LE(BigInt(c.ip), 264); // Pc
    return b;
  }
  throw new RangeError(`no CONTEXT layout for processor architecture ${arch}`);
}

/** CodeView 'RSDS' record: signature, GUID (u32 u16 u16 u8[8], little-endian), age, name. */
export function rsdsRecord(pdb: PdbSpec): Buffer {
  const hex = pdb.guid.replace(/[{}-]/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`not a GUID: ${JSON.stringify(pdb.guid)}`);
  const name = Buffer.from(pdb.name, 'utf8');
  const b = Buffer.alloc(24 + name.length + 1);
  b.write('RSDS', 0, 'latin1');
  b.writeUInt32LE(Number.parseInt(hex.slice(0, 8), 16), 4);
  b.writeUInt16LE(Number.parseInt(hex.slice(8, 12), 16), 8);
  b.writeUInt16LE(Number.parseInt(hex.slice(12, 16), 16), 10);
  Buffer.from(hex.slice(16), 'hex').copy(b, 12);
  b.writeUInt32LE(pdb.age >>> 0, 20);
  name.copy(b, 24);
  return b;
}
