// `wer-sniff setup`: the registry settings that point a Windows machine at this CER server,
// as `reg add` commands and as a .reg file. It only writes text; it never changes a system.
export const WER_KEY = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting';
const WER_KEY_REG = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting';

export interface SetupOptions {
  server: string;
  port: number;
  /** Also `CorporateWERUseSSL` = 1: the client speaks HTTPS (to `wer-sniff listen --tls`). */
  tls?: boolean;
}

/** A server name Windows can use: no quotes, spaces, control characters or slashes, and
 * nothing cmd.exe would act on in the printed `reg add` line (`&|<>^%!` and the like). */
export function checkServerName(server: string): string | undefined {
  if (!server || /[\s"\\/\u0000-\u001f\u007f&|<>^%!()]/.test(server)) return `${JSON.stringify(server)} is not a host name or address — give e.g. sniffer.example.test or 192.0.2.10`;
  return undefined;
}

/** `CorporateWERUploadOnFreeNetworksOnly` = 0: current Windows reads this value (the policy's
 * "Only upload on free networks"); at 1 a metered network holds reports back, which looks
 * exactly like "reports don't arrive" (docs/protocol.md §10a). */
const FREE_NETWORKS = 'CorporateWERUploadOnFreeNetworksOnly';

export function makeRegCommands(o: SetupOptions): string[] {
  return [
    `reg add "${WER_KEY}" /v CorporateWERServer /t REG_SZ /d ${o.server} /f`,
    `reg add "${WER_KEY}" /v CorporateWERPortNumber /t REG_DWORD /d ${o.port} /f`,
    `reg add "${WER_KEY}" /v ${FREE_NETWORKS} /t REG_DWORD /d 0 /f`,
    ...(o.tls ? [`reg add "${WER_KEY}" /v CorporateWERUseSSL /t REG_DWORD /d 1 /f`] : []),
  ];
}

/** Comment lines (`::`) printed with the commands: what the values mean and the port caveat. */
export function makeRegNotes(o: SetupOptions): string[] {
  return [
    `:: ${FREE_NETWORKS}=0: upload on any network (1 holds reports back on metered networks)`,
    `:: the port must equal wer-sniff listen --port (${o.port}); 1273 is MS-CER2's default, some hardening guides use 1232`,
  ];
}

/** `tls`: also remove `CorporateWERUseSSL` (only when it was set: deleting a missing value fails). */
export function makeUndoCommands(tls = false): string[] {
  return [
    `reg delete "${WER_KEY}" /v CorporateWERServer /f`,
    `reg delete "${WER_KEY}" /v CorporateWERPortNumber /f`,
    `reg delete "${WER_KEY}" /v ${FREE_NETWORKS} /f`,
    ...(tls ? [`reg delete "${WER_KEY}" /v CorporateWERUseSSL /f`] : []),
  ];
}

/** A .reg file as regedit writes them: UTF-16LE with BOM, CRLF line ends. */
function regFile(lines: string[]): Buffer {
  const text = ['Windows Registry Editor Version 5.00', '', `[${WER_KEY_REG}]`, ...lines, '', ''].join('\r\n');
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

/** The .reg file that removes what makeRegFile set: each value deleted with `=-`.
 * `tls`: also CorporateWERUseSSL. */
export function makeUndoRegFile(tls = false): Buffer {
  const names = ['CorporateWERServer', 'CorporateWERPortNumber', FREE_NETWORKS, ...(tls ? ['CorporateWERUseSSL'] : [])];
  return regFile(names.map((n) => `"${n}"=-`));
}

export function makeRegFile(o: SetupOptions): Buffer {
  const text = [
    'Windows Registry Editor Version 5.00',
    '',
    `[${WER_KEY_REG}]`,
    `"CorporateWERServer"="${o.server}"`,
    `"CorporateWERPortNumber"=dword:${o.port.toString(16).padStart(8, '0')}`,
    `"${FREE_NETWORKS}"=dword:00000000`,
    ...(o.tls ? ['"CorporateWERUseSSL"=dword:00000001'] : []),
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}
