import { describe, expect, test } from 'vitest';
import { parameterMeaning, secondaryMeaning } from '../../../src/domain/report/meaning.js';
import * as report from '../../../src/domain/report/report.js';

describe('value meanings', () => {
  test('by the name attribute, in any case and with blanks', () => {
    expect(parameterMeaning('APPCRASH', 6, ' exception CODE ', 'c0000005')).toBe('access violation');
    expect(parameterMeaning('APPCRASH', 2, 'Application Timestamp', '65f1a2b3')).toBe('2024-03-13T12:57:23Z');
  });

  test('localized or missing names fall back to the label of the id for the event type', () => {
    expect(parameterMeaning('APPCRASH', 6, 'Ausnahmecode', 'c0000005')).toBe('access violation');
    expect(parameterMeaning('BEX64', 7, undefined, 'c0000409')).toBe('stack buffer overrun / fail-fast (__fastfail)');
    expect(parameterMeaning('APPCRASH', 7, undefined, '000000000001a2f4')).toBeUndefined();
    expect(parameterMeaning(undefined, 6, undefined, 'c0000005')).toBeUndefined();
  });

  test('secondary parameters by name; report.ts still exports both', () => {
    expect(secondaryMeaning('OS Version', '10.0.19045.2.0.0.256.48')).toBe('Windows 10 22H2 · build 19045');
    expect(secondaryMeaning('Locale ID', '1033')).toBe('0x0409 en-US');
    expect(secondaryMeaning('Something', '1')).toBeUndefined();
    expect(report.parameterMeaning).toBe(parameterMeaning);
    expect(report.secondaryMeaning).toBe(secondaryMeaning);
  });
});

describe("labels that are also Object.prototype names", () => {
  test("give no meaning instead of a function from the prototype", () => {
    expect(parameterMeaning('APPCRASH', 0, 'constructor', 'x')).toBeUndefined();
    expect(parameterMeaning('toString', 0, 'toString', 'x')).toBeUndefined();
    expect(parameterMeaning('__proto__', 2, undefined, '65f1a2b3')).toBeUndefined();
  });
});
