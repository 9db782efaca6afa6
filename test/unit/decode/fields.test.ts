import { describe, expect, test } from 'vitest';
import {
  decodeBugcheck, decodeExceptionCode, decodeFiletime, decodeFileType, decodeLcid, decodeOsString,
  decodePeTimestamp, decodeProductPair, decodeReportType, decodeServicePackPair, decodeSku, decodeSuiteMask,
} from '../../../src/domain/report/fields.js';
import { LCID_TAGS } from '../../../src/domain/report/lcid.js';
import { parameterLabel } from '../../../src/domain/report/names.js';

describe('decodeFiletime (docs/protocol.md §7.1)', () => {
  test('both cross-checks from the spec examples', () => {
    // §4.3: 2008-03-11 09:00:17.9046 UTC (dump Mini031108-01.dmp); §4.1: 07:01:59.6486 UTC
    expect(decodeFiletime('128496996179046077')).toEqual({ iso: '2008-03-11T09:00:17.904Z' });
    expect(decodeFiletime('128496925196486378')).toEqual({ iso: '2008-03-11T07:01:59.648Z' });
  });

  test('bigint input, epoch and range', () => {
    expect(decodeFiletime(116444736000000000n)).toEqual({ iso: '1970-01-01T00:00:00.000Z' });
    expect(decodeFiletime('0')).toEqual({ iso: '1601-01-01T00:00:00.000Z' });
    // before 1970, floor (not truncate) to the millisecond
    expect(decodeFiletime(116444735999999999n)).toEqual({ iso: '1969-12-31T23:59:59.999Z' });
    expect(decodeFiletime('18446744073709551615')?.iso).toMatch(/^\+060056-/);
    expect(decodeFiletime('18446744073709551616')).toBeUndefined();
  });

  test('not a number', () => {
    expect(decodeFiletime('')).toBeUndefined();
    expect(decodeFiletime('12ab')).toBeUndefined();
    expect(decodeFiletime('-5')).toBeUndefined();
    expect(decodeFiletime('1.5e17')).toBeUndefined();
  });
});

describe('decodeOsString (docs/protocol.md §7.2)', () => {
  test('6.1.7601.2.1.0.256.1 = Windows 7 SP1', () => {
    expect(decodeOsString('6.1.7601.2.1.0.256.1')).toEqual({
      fieldCount: 8, major: 6, minor: 1, build: 7601, platformId: 2, spMajor: 1, spMinor: 0,
      suiteMask: 256, suites: ['SingleUserTS'],
      sku: { code: 1, hex: '0x01', name: 'Ultimate', server: false, bestEffort: true },
      server: false, servicePack: 'SP1', versionName: 'Windows 7 SP1',
    });
  });

  test('6.0.6001.2.1.0.768.3 = Vista SP1 Home Premium', () => {
    const os = decodeOsString('6.0.6001.2.1.0.768.3')!;
    expect(os.versionName).toBe('Windows Vista SP1');
    expect(os.suites).toEqual(['SingleUserTS', 'Personal']);
    expect(os.sku?.name).toBe('Home Premium');
  });

  test('10.0.20348.2.0.0.272.7 = Windows Server 2022 Standard', () => {
    const os = decodeOsString('10.0.20348.2.0.0.272.7')!;
    expect(os.versionName).toBe('Windows Server 2022');
    expect(os.server).toBe(true);
    expect(os.suites).toEqual(['Terminal', 'SingleUserTS']);
    expect(os.sku).toMatchObject({ hex: '0x07', name: 'Standard Server' });
    expect(os.servicePack).toBeUndefined();
  });

  test('10.0.19045.2.0.0.256.48 = Windows 10 22H2 Professional', () => {
    const os = decodeOsString('10.0.19045.2.0.0.256.48')!;
    expect(os).toMatchObject({ major: 10, minor: 0, build: 19045, versionName: 'Windows 10 22H2', server: false });
    expect(os.sku).toMatchObject({ code: 48, hex: '0x30', name: 'Professional' });
  });

  test('Windows 11 releases and the server/client ambiguity', () => {
    expect(decodeOsString('10.0.22631.2.0.0.256.48')!.versionName).toBe('Windows 11 23H2');
    expect(decodeOsString('10.0.26100.2.0.0.256.48')!.versionName).toBe('Windows 11 24H2');
    expect(decodeOsString('10.0.26100.2.0.0.272.8')!.versionName).toBe('Windows Server 2025');
    expect(decodeOsString('10.0.14393')!.versionName).toBe('Windows 10 / Server 2016 (1607)');
    expect(decodeOsString('10.0.17763.2.0.0.272.7')!.versionName).toBe('Windows Server 2019');
    expect(decodeOsString('10.0.17763.2.0.0.256.4')!.versionName).toBe('Windows 10 1809');
    expect(decodeOsString('10.0.20348')!.versionName).toBe('Windows Server 2022');
    expect(decodeOsString('6.1.7600')!.versionName).toBe('Windows 7 / Server 2008 R2');
    expect(decodeOsString('6.3.9600.2.0.0.272.8')!.versionName).toBe('Windows Server 2012 R2');
  });

  test('short and underscore forms (BlueScreen OS Version), bad input', () => {
    expect(decodeOsString('6_1_6561')).toMatchObject({ fieldCount: 3, major: 6, minor: 1, build: 6561 });
    expect(decodeOsString('6.1.7601.2.1.0.256')).toMatchObject({ fieldCount: 7 });
    expect(decodeOsString('Windows 10')).toBeUndefined();
    expect(decodeOsString('10')).toBeUndefined();
    expect(decodeOsString('10.0.x')).toBeUndefined();
  });
});

describe('other field decoders', () => {
  test('decodeLcid', () => {
    expect(decodeLcid(1033)).toEqual({ lcid: 1033, hex: '0x0409', tag: 'en-US' });
    expect(decodeLcid('2057')).toMatchObject({ hex: '0x0809', tag: 'en-GB' });
    expect(decodeLcid('1031')?.tag).toBe('de-DE');
    expect(decodeLcid('1036')?.tag).toBe('fr-FR');
    expect(decodeLcid('1041')?.tag).toBe('ja-JP');
    expect(decodeLcid('2052')?.tag).toBe('zh-CN');
    expect(decodeLcid('7177')).toMatchObject({ hex: '0x1c09', tag: 'en-ZA' });
    expect(decodeLcid('0x0c0a')?.tag).toBe('es-ES');
    expect(decodeLcid(127)).toMatchObject({ special: 'invariant' });
    expect(decodeLcid(12345)).toEqual({ lcid: 12345, hex: '0x3039' });
    expect(decodeLcid('en-US')).toBeUndefined();
    expect(LCID_TAGS.size).toBeGreaterThanOrEqual(100);
  });

  test('decodePeTimestamp', () => {
    expect(decodePeTimestamp('65f1a2b3')).toBe('2024-03-13T12:57:23Z');
    expect(decodePeTimestamp('0x00000000')).toBe('1970-01-01T00:00:00Z');
    expect(decodePeTimestamp('zzz')).toBeUndefined();
    expect(decodePeTimestamp('123456789')).toBeUndefined();
  });

  test('decodeExceptionCode', () => {
    expect(decodeExceptionCode('c0000005')).toBe('access violation');
    expect(decodeExceptionCode('0xC0000409')).toMatch(/stack buffer overrun/);
    expect(decodeExceptionCode('c00000fd')).toBe('stack overflow');
    expect(decodeExceptionCode('80000003')).toBe('breakpoint');
    expect(decodeExceptionCode('e0434352')).toMatch(/\.NET/);
    expect(decodeExceptionCode('e06d7363')).toMatch(/C\+\+/);
    expect(decodeExceptionCode('c0000374')).toBe('heap corruption');
    expect(decodeExceptionCode('cfffffff')).toMatch(/hang/);
    expect(decodeExceptionCode('00000000c0000005')).toBe('access violation');
    expect(decodeExceptionCode('40000015')).toMatch(/fatal app exit/);
    expect(decodeExceptionCode('12345678')).toBeUndefined();
    expect(decodeExceptionCode('nope')).toBeUndefined();
  });

  test('decodeBugcheck: with or without 0x, leading zeros, _M variants', () => {
    expect(decodeBugcheck('d1')).toBe('DRIVER_IRQL_NOT_LESS_OR_EQUAL');
    expect(decodeBugcheck('0x0000001a')).toBe('MEMORY_MANAGEMENT');
    expect(decodeBugcheck('0x3B')).toBe('SYSTEM_SERVICE_EXCEPTION');
    expect(decodeBugcheck('000000a')).toBe('IRQL_NOT_LESS_OR_EQUAL');
    expect(decodeBugcheck('133')).toBe('DPC_WATCHDOG_VIOLATION');
    expect(decodeBugcheck('0x139')).toBe('KERNEL_SECURITY_CHECK_FAILURE');
    expect(decodeBugcheck('124')).toBe('WHEA_UNCORRECTABLE_ERROR');
    expect(decodeBugcheck('ef')).toBe('CRITICAL_PROCESS_DIED');
    expect(decodeBugcheck('0x1000007e')).toBe('SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M');
    expect(decodeBugcheck('0xdead')).toBeUndefined();
  });

  test('report types, file types, suites, SKUs, BlueScreen pairs', () => {
    expect(decodeReportType('2')).toEqual({ code: 2, name: 'WerReportApplicationCrash' });
    expect(decodeReportType(4)).toEqual({ code: 4, name: 'WerReportKernel' });
    expect(decodeReportType('17')).toEqual({ code: 17 });
    expect(decodeReportType('x')).toBeUndefined();
    expect(decodeFileType('2')).toEqual({ code: '2', name: 'Minidump' });
    expect(decodeFileType('5')).toEqual({ code: '5', name: 'Other' });
    expect(decodeFileType('42')).toEqual({ code: '42' });
    expect(decodeSuiteMask(0x110)).toEqual(['Terminal', 'SingleUserTS']);
    expect(decodeSuiteMask(0x40000)).toEqual(['0x40000']);
    expect(decodeSku(0x65)).toMatchObject({ name: 'Home', server: false, bestEffort: true });
    expect(decodeSku(0x999)).toEqual({ code: 0x999, hex: '0x999', bestEffort: true });
    expect(decodeServicePackPair('0_0')).toBe('no service pack');
    expect(decodeServicePackPair('1_0')).toBe('SP1');
    expect(decodeProductPair('256_1')).toBe('suite 0x100 SingleUserTS · SKU 0x01 Ultimate (best-effort)');
    expect(decodeProductPair('x')).toBeUndefined();
  });

  test('parameter labels per event type (§7.5)', () => {
    expect(parameterLabel('APPCRASH', 6)).toBe('Exception Code');
    expect(parameterLabel('BEX64', 7)).toBe('Exception Code');
    expect(parameterLabel('BEX', 6)).toBe('Exception Offset');
    expect(parameterLabel('AppHangB1', 3)).toBe('Hang Signature');
    expect(parameterLabel('Custom', 0)).toBeUndefined();
    expect(parameterLabel('APPCRASH', 'x')).toBeUndefined();
  });
});
