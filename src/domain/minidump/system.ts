// MINIDUMP_SYSTEM_INFO: processor architecture and count, Windows version, product type,
// platform, service pack string and suite bits.
import { SUITE_BITS } from '../report/names.js';
import type { DumpReader } from './reader.js';
import { ARCH_NAMES, hex, type MinidumpStream, type MinidumpSystem } from './types.js';

const PRODUCT_TYPES: Record<number, string> = { 1: 'workstation', 2: 'domain controller', 3: 'server' };
const PLATFORMS: Record<number, string> = { 0: 'Win32s', 1: 'Win32 Windows', 2: 'Win32 NT' };

export function readSystem(r: DumpReader, s: MinidumpStream): MinidumpSystem {
  const buf = r.buf, o = s.rva;
  const archCode = buf.readUInt16LE(o), productType = buf.readUInt8(o + 7), platformId = buf.readUInt32LE(o + 20);
  const suiteMask = buf.readUInt16LE(o + 28), csdRva = buf.readUInt32LE(o + 24);
  const sp = csdRva ? r.string(csdRva, 'CSDVersion string') : undefined;
  return {
    archCode, arch: ARCH_NAMES[archCode] ?? `unknown (${hex(archCode)})`,
    processorLevel: buf.readUInt16LE(o + 2), processorRevision: buf.readUInt16LE(o + 4),
    processors: buf.readUInt8(o + 6), productType, productTypeName: PRODUCT_TYPES[productType] ?? `type ${productType}`,
    os: { major: buf.readUInt32LE(o + 8), minor: buf.readUInt32LE(o + 12), build: buf.readUInt32LE(o + 16) },
    platformId, platform: PLATFORMS[platformId] ?? hex(platformId),
    ...(sp ? { servicePack: sp } : {}),
    suiteMask, suite: SUITE_BITS.filter(([bit]) => suiteMask & bit).map(([, n]) => n),
  };
}
