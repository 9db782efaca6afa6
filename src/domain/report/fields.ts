// Decoders for single WER field values (docs/protocol.md §7): FILETIME event times, the dotted `os`
// string, LCIDs, PE link timestamps, exception and bugcheck codes, report/file type numbers,
// and the `_`-joined pieces BlueScreen reports use. Each takes one string and returns a
// plain object or undefined when the value does not have the expected shape; none of them
// throws, warns or knows where the value came from (report.ts does that).
import {
  BUGCHECK_CODES, EXCEPTION_CODES, FILE_TYPES, REPORT_TYPES, SKUS, SUITE_BITS,
} from './names.js';
import { isoTime } from '../../util/iso-time.js';

export { decodeLcid, type LcidInfo } from './lcid.js';

/** 100-ns ticks between 1601-01-01 and 1970-01-01 (docs/protocol.md §7.1). */
export const FILETIME_UNIX_EPOCH = 116444736000000000n;
const MAX_U64 = (1n << 64n) - 1n;

/** FILETIME (decimal string or bigint) → ISO 8601 UTC with millisecond precision. */
export function decodeFiletime(s: string | bigint): { iso: string } | undefined {
  let ms: number;
  if (typeof s === 'bigint') {
    if (s < 0n || s > MAX_U64) return undefined;
    const delta = s - FILETIME_UNIX_EPOCH;
    // floor division: BigInt `/` truncates toward zero, wrong for dates before 1970
    let q = delta / 10000n;
    if (delta < 0n && delta % 10000n !== 0n) q -= 1n;
    ms = Number(q);
  } else {
    const digits = filetimeDigits(s);
    if (digits === undefined) return undefined;
    ms = filetimeMs(digits);
  }
  return { iso: isoTime(ms) }; // within Date's range: a FILETIME is at most ~58,000 years
}

const FILETIME_TEXT = /^\s*\d{1,20}\s*$/;
const MAX_U64_TEXT = MAX_U64.toString();
/** FILETIME_UNIX_EPOCH in ms: it is a whole number of them. */
const FILETIME_UNIX_EPOCH_MS = Number(FILETIME_UNIX_EPOCH / 10000n);

/** The decimal digits of a FILETIME as text (blanks around allowed, at most 20 digits, at most
 * 2^64 - 1) without leading zeros, or undefined when it is not one. */
export function filetimeDigits(s: string): string | undefined {
  if (!FILETIME_TEXT.test(s)) return undefined;
  const t = s.trim();
  let i = 0;
  while (i < t.length - 1 && t.charCodeAt(i) === 0x30) i++;
  const digits = i === 0 ? t : t.slice(i);
  return digits.length === 20 && digits > MAX_U64_TEXT ? undefined : digits;
}

/** Milliseconds since 1970 (rounded down) of FILETIME digits from filetimeDigits. Exact without
 * BigInt: the ticks / 10000 of a 64-bit FILETIME is below 2^53, and the epoch is whole ms. */
export function filetimeMs(digits: string): number {
  const wholeMs = digits.length > 4 ? Number(digits.slice(0, digits.length - 4)) : 0;
  return wholeMs - FILETIME_UNIX_EPOCH_MS;
}

/** PE TimeDateStamp (hex seconds since 1970, e.g. `65f1a2b3`) → ISO 8601 UTC. */
export function decodePeTimestamp(hex: string): string | undefined {
  const m = /^\s*(?:0x)?([0-9a-f]{1,8})\s*$/i.exec(hex);
  if (!m) return undefined;
  const iso = isoTime(parseInt(m[1]!, 16) * 1000); // whole seconds: always `.000Z`
  return iso.slice(0, -5) + 'Z';
}

/** Normalise a hex code: strip `0x`, blanks and leading zeros; undefined if not hex. */
export function normalizeHex(s: string): string | undefined {
  const m = /^\s*(?:0x)?([0-9a-f]+)\s*$/i.exec(s);
  if (!m) return undefined;
  const digits = m[1]!.toLowerCase().replace(/^0+(?=.)/, '');
  return digits.length <= 16 ? digits : undefined;
}

/** Exception code (hex, with or without 0x / leading zeros) → human name. */
export function decodeExceptionCode(hex: string): string | undefined {
  const code = normalizeHex(hex);
  return code === undefined || code.length > 8 ? undefined : EXCEPTION_CODES[code.padStart(8, '0')];
}

/** BlueScreen BCCode (hex, with or without 0x / leading zeros) → bugcheck symbol. */
export function decodeBugcheck(hex: string): string | undefined {
  const code = normalizeHex(hex);
  if (code === undefined || code.length > 8) return undefined;
  const n = parseInt(code, 16);
  const name = BUGCHECK_CODES.get(n);
  if (name) return name;
  // 0x1000007E etc.: the same stop code with the 0x10000000 flag ("_M" variants)
  const base = BUGCHECK_CODES.get(n & ~0x10000000);
  return (n & 0x10000000) !== 0 && base ? `${base}_M` : undefined;
}

export function decodeReportType(s: string | number): { code: number; name?: string } | undefined {
  const code = typeof s === 'number' ? s : /^\s*\d+\s*$/.test(s) ? parseInt(s, 10) : NaN;
  if (!Number.isSafeInteger(code)) return undefined;
  const name = REPORT_TYPES.get(code);
  return name ? { code, name } : { code };
}

export function decodeFileType(s: string): { code: string; name?: string } {
  const code = s.trim();
  const name = /^\d+$/.test(code) ? FILE_TYPES.get(parseInt(code, 10)) : undefined;
  return name ? { code, name } : { code };
}

/** Names of the VER_SUITE_* bits set in a mask (unknown bits as hex). */
export function decodeSuiteMask(mask: number): string[] {
  const names: string[] = [];
  let rest = mask;
  for (const entry of SUITE_BITS) {
    const bit = entry[0]; // no destructuring: it allocates an iterator on this hot path
    if ((mask & bit) !== 0) {
      names.push(entry[1]);
      rest &= ~bit;
    }
  }
  if (rest !== 0) names.push('0x' + rest.toString(16));
  return names;
}

export interface SkuInfo {
  code: number;
  hex: string;
  name?: string;
  server?: boolean;
  /** Always true: the meaning of the 8th os field is inferred (docs/protocol.md §7.2, §11.11). */
  bestEffort: true;
}

export function decodeSku(code: number): SkuInfo {
  const entry = SKUS.get(code);
  const info: SkuInfo = { code, hex: '0x' + code.toString(16).padStart(2, '0'), bestEffort: true };
  if (entry) {
    info.name = entry.name;
    info.server = entry.server === true;
  }
  return info;
}

export interface OsInfo {
  /** How many fields the string had (8 expected for MACHINEINFO `os`). */
  fieldCount: number;
  major: number;
  minor: number;
  build?: number;
  platformId?: number;
  spMajor?: number;
  spMinor?: number;
  suiteMask?: number;
  suites: string[];
  sku?: SkuInfo;
  /** `SP1`, `SP2.1`; absent without a service pack. */
  servicePack?: string;
  /** Client/server decided from the SKU; undefined when unknown. */
  server?: boolean;
  /** e.g. `Windows 10 22H2`, `Windows Server 2022`, `Windows 7 SP1`, `Windows 10 / Server 2016 (1607)`. */
  versionName: string;
}

const WIN10_RELEASES: ReadonlyMap<number, string> = new Map([
  [10240, '1507'], [10586, '1511'], [14393, '1607'], [15063, '1703'], [16299, '1709'],
  [17134, '1803'], [17763, '1809'], [18362, '1903'], [18363, '1909'], [19041, '2004'],
  [19042, '20H2'], [19043, '21H1'], [19044, '21H2'], [19045, '22H2'],
]);
const WIN11_RELEASES: ReadonlyMap<number, string> = new Map([
  [22000, '21H2'], [22621, '22H2'], [22631, '23H2'], [26100, '24H2'], [26200, '25H2'],
]);
/** Builds shared by a client release and a long-term server release. */
const SERVER_LTSC: ReadonlyMap<number, string> = new Map([
  [14393, 'Server 2016'], [17763, 'Server 2019'], [20348, 'Server 2022'], [26100, 'Server 2025'],
]);
/** 6.x: [client, server]. */
const NT6_NAMES: ReadonlyMap<number, [string, string]> = new Map([
  [0, ['Vista', 'Server 2008']], [1, ['7', 'Server 2008 R2']], [2, ['8', 'Server 2012']],
  [3, ['8.1', 'Server 2012 R2']],
]);

function windows10Name(build: number | undefined, server: boolean | undefined): string {
  if (build === undefined) return server ? 'Windows Server' : 'Windows 10/11';
  const eleven = build >= 22000;
  const release = (eleven ? WIN11_RELEASES : WIN10_RELEASES).get(build);
  const client = `Windows ${eleven ? '11' : '10'}${release ? ' ' + release : ''}`;
  const ltsc = SERVER_LTSC.get(build);
  if (server === true) {
    if (ltsc) return `Windows ${ltsc}`;
    return release ? `Windows Server, version ${release}` : `Windows Server (build ${build})`;
  }
  if (server === false) return client;
  if (build === 20348) return 'Windows Server 2022'; // no client release uses this build
  if (ltsc) return `Windows ${eleven ? '11' : '10'} / ${ltsc}${release ? ` (${release})` : ''}`;
  return client;
}

function versionName(major: number, minor: number, build: number | undefined, server: boolean | undefined): string {
  if (major === 10 && minor === 0) return windows10Name(build, server);
  const nt6 = major === 6 ? NT6_NAMES.get(minor) : undefined;
  if (nt6) {
    const [client, srv] = nt6;
    if (server === true) return `Windows ${srv}`;
    if (server === false) return `Windows ${client}`;
    return `Windows ${client} / ${srv}`;
  }
  if (major === 5 && minor === 0) return 'Windows 2000';
  if (major === 5 && minor === 1) return 'Windows XP';
  if (major === 5 && minor === 2) return 'Windows XP x64 / Server 2003';
  return `Windows NT ${major}.${minor}`;
}

/**
 * The MACHINEINFO `os` string `major.minor.build.platformId.spMajor.spMinor.suiteMask.sku`
 * (docs/protocol.md §7.2). Also accepts fewer fields and `_` separators (BlueScreen `OS Version`
 * `10_0_19045`). Undefined unless it is 2+ decimal fields.
 */
export function decodeOsString(os: string): OsInfo | undefined {
  const trimmed = os.trim();
  const sep = trimmed.includes('_') && !trimmed.includes('.') ? 0x5f : 0x2e;
  // The fields: 1 to 10 decimal digits each (a number below 2^53, exact), split at `sep`.
  const n: number[] = [];
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= trimmed.length; i++) {
    const c = i < trimmed.length ? trimmed.charCodeAt(i) : sep;
    if (c === sep) {
      if (digits === 0 || digits > 10) return undefined;
      n.push(value);
      value = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      digits++;
    } else {
      return undefined;
    }
  }
  if (n.length < 2) return undefined;
  // indexing, not destructuring (which allocates an iterator); missing fields are undefined
  const major = n[0]!;
  const minor = n[1]!;
  const build = n[2];
  const platformId = n[3];
  const spMajor = n[4];
  const spMinor = n[5];
  const suiteMask = n[6];
  const skuCode = n[7];
  const sku = skuCode === undefined ? undefined : decodeSku(skuCode);
  const server = sku?.server;
  const info: OsInfo = {
    fieldCount: n.length,
    major,
    minor,
    suites: suiteMask === undefined ? [] : decodeSuiteMask(suiteMask),
    versionName: versionName(major, minor, build, server),
  };
  if (build !== undefined) info.build = build;
  if (platformId !== undefined) info.platformId = platformId;
  if (spMajor !== undefined) info.spMajor = spMajor;
  if (spMinor !== undefined) info.spMinor = spMinor;
  if (suiteMask !== undefined) info.suiteMask = suiteMask;
  if (sku) info.sku = sku;
  if (server !== undefined) info.server = server;
  const sp = servicePackName(spMajor ?? 0, spMinor ?? 0);
  if (sp) {
    info.servicePack = sp;
    info.versionName += ' ' + sp;
  }
  return info;
}

function servicePackName(major: number, minor: number): string | undefined {
  if (major === 0 && minor === 0) return undefined;
  return minor === 0 ? `SP${major}` : `SP${major}.${minor}`;
}

/** BlueScreen `Service Pack` = `spMajor_spMinor` (docs/protocol.md §7.2). */
export function decodeServicePackPair(s: string): string | undefined {
  const m = /^\s*(\d+)[_.](\d+)\s*$/.exec(s);
  if (!m) return undefined;
  return servicePackName(parseInt(m[1]!, 10), parseInt(m[2]!, 10)) ?? 'no service pack';
}

/** BlueScreen `Product` = `suiteMask_sku` (docs/protocol.md §7.2), e.g. `256_1`. */
export function decodeProductPair(s: string): string | undefined {
  const m = /^\s*(\d+)_(\d+)\s*$/.exec(s);
  if (!m) return undefined;
  const mask = parseInt(m[1]!, 10);
  const sku = decodeSku(parseInt(m[2]!, 10));
  const suites = decodeSuiteMask(mask);
  return `suite 0x${mask.toString(16)}${suites.length ? ' ' + suites.join('+') : ''} · ` + formatSku(sku);
}

/** `SKU 0x30 Professional (best-effort)`. */
export function formatSku(sku: SkuInfo): string {
  return `SKU ${sku.hex}${sku.name ? ' ' + sku.name : ''} (best-effort)`;
}
