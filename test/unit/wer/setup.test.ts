import { describe, expect, test } from 'vitest';
import { WER_KEY, checkServerName, makeRegCommands, makeRegFile, makeRegNotes, makeUndoCommands } from '../../../src/domain/server/setup.js';

describe('setup', () => {
  test('reg add commands for server and port, and uploads on any network', () => {
    expect(WER_KEY).toBe('HKLM\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting');
    expect(makeRegCommands({ server: 'sniffer.example.test', port: 1273 })).toEqual([
      'reg add "HKLM\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting" /v CorporateWERServer /t REG_SZ /d sniffer.example.test /f',
      'reg add "HKLM\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting" /v CorporateWERPortNumber /t REG_DWORD /d 1273 /f',
      'reg add "HKLM\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting" /v CorporateWERUploadOnFreeNetworksOnly /t REG_DWORD /d 0 /f',
    ]);
  });

  test('the notes explain the free-networks value and name the other port hardening guides use', () => {
    const notes = makeRegNotes({ server: 'x', port: 8080 });
    expect(notes.every((l) => l.startsWith(':: '))).toBe(true);
    expect(notes.join('\n')).toMatch(/CorporateWERUploadOnFreeNetworksOnly=0: upload on any network/);
    expect(notes.join('\n')).toMatch(/wer-sniff listen --port \(8080\); 1273 is MS-CER2's default, some hardening guides use 1232/);
  });

  test('undo deletes exactly the values setup adds', () => {
    expect(makeUndoCommands()).toEqual([
      'reg delete "HKLM\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting" /v CorporateWERServer /f',
      'reg delete "HKLM\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting" /v CorporateWERPortNumber /f',
      'reg delete "HKLM\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting" /v CorporateWERUploadOnFreeNetworksOnly /f',
    ]);
  });

  test('.reg file: UTF-16LE with BOM, CRLF, dword in 8 hex digits', () => {
    const buf = makeRegFile({ server: '192.0.2.10', port: 8080 });
    expect([...buf.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    expect(buf.length % 2).toBe(0);
    expect(buf.subarray(2).toString('utf16le')).toBe(
      'Windows Registry Editor Version 5.00\r\n\r\n' +
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting]\r\n' +
      '"CorporateWERServer"="192.0.2.10"\r\n' +
      '"CorporateWERPortNumber"=dword:00001f90\r\n' +
      '"CorporateWERUploadOnFreeNetworksOnly"=dword:00000000\r\n\r\n',
    );
  });

  test('--tls adds CorporateWERUseSSL = 1 to the commands, the .reg file and the undo', () => {
    const o = { server: 'sniffer.example.test', port: 1273, tls: true };
    expect(makeRegCommands(o)[3]).toBe('reg add "HKLM\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting" /v CorporateWERUseSSL /t REG_DWORD /d 1 /f');
    expect(makeRegFile(o).subarray(2).toString('utf16le')).toContain('"CorporateWERUploadOnFreeNetworksOnly"=dword:00000000\r\n"CorporateWERUseSSL"=dword:00000001\r\n');
    expect(makeUndoCommands(true)).toHaveLength(4);
    expect(makeUndoCommands(true)[3]).toContain('/v CorporateWERUseSSL /f');
    // Without --tls nothing about SSL is written.
    expect(makeRegCommands({ ...o, tls: false }).join('\n')).not.toContain('UseSSL');
  });

  test('server names: host names and addresses pass', () => {
    for (const ok of ['sniffer', 'sniffer.example.test', '192.0.2.10', '2001:db8::1', 'WKS-01_a']) expect(checkServerName(ok)).toBeUndefined();
  });

  test('server names that would break the command or the .reg file are refused', () => {
    for (const bad of ['', 'a b', 'a"b', 'a\\b', 'a/b', 'a\tb', 'x&calc', 'x|y', 'x>out', 'x^y', '%PATH%', 'x!y', 'a\x1bb']) {
      expect(checkServerName(bad)).toBe(`${JSON.stringify(bad)} is not a host name or address — give e.g. sniffer.example.test or 192.0.2.10`);
    }
  });
});
