// `--tls`: loads --cert/--key, or makes a self-signed certificate at start-up (kept across runs
// with --save-cert), and tells the operator its fingerprint and how to make Windows trust it.
// The certificate itself is built by tls/self-signed.ts; this file does the key generation,
// the clock, the files and the messages.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import tls from 'node:tls';
import { WerSniffError, inWords } from '../errors.js';
import { buildSelfSignedCert } from '../sources/tls/self-signed.js';
import { append } from '../util/append.js';

export interface TlsFlags {
  tls?: boolean;
  cert?: string;
  key?: string;
  saveCert?: string;
  certName?: string[];
}

export interface TlsSetup {
  context: tls.SecureContext;
  /** The PEM the context was made from (a relay thread makes its own context from it). */
  pem: { cert: string; key: string };
  /** What to tell the operator (stderr lines, without the `wer-sniff: ` prefix). */
  lines: string[];
}

/** Validity of a generated certificate: 825 days, the most Apple clients accept for TLS servers. */
const VALID_DAYS = 825;
const DAY = 86_400_000;

export function setUpTls(flags: TlsFlags, bind: string, now = Date.now()): TlsSetup | undefined {
  if (!flags.tls && !flags.cert && !flags.key && !flags.saveCert) {
    if (flags.certName?.length) throw new WerSniffError('bad-flags', '--cert-name names the generated certificate of --tls — add --tls', 2);
    return undefined;
  }
  if (flags.certName?.length && flags.cert) throw new WerSniffError('bad-flags', '--cert-name applies to a generated certificate, not to --cert', 2);
  if (Boolean(flags.cert) !== Boolean(flags.key)) {
    throw new WerSniffError('bad-flags', '--cert and --key go together: give both PEM files, or neither for a generated certificate', 2);
  }
  if (flags.cert && flags.saveCert) {
    throw new WerSniffError('bad-flags', '--save-cert keeps a generated certificate; with --cert/--key you already have one', 2);
  }
  if (flags.cert) return fromFiles(flags.cert, flags.key!, '');
  const keyFile = flags.saveCert ? `${flags.saveCert}.key` : undefined;
  if (flags.saveCert && fs.existsSync(flags.saveCert)) {
    const setup = fromFiles(flags.saveCert, keyFile!, ` (kept from an earlier run by --save-cert ${flags.saveCert})`);
    return setup;
  }
  const { cert, key, names } = generate(flags.certName ?? [], bind, now);
  const lines: string[] = [];
  if (flags.saveCert) {
    try {
      fs.writeFileSync(keyFile!, key, { mode: 0o600, flag: 'wx' });
      fs.writeFileSync(flags.saveCert, cert, { flag: 'wx' });
    } catch (err) {
      throw new WerSniffError('save-cert', `cannot write --save-cert ${flags.saveCert} / ${keyFile}: ${inWords(err)} — check the path`);
    }
    lines.push(`saved the certificate to ${flags.saveCert} and its key to ${keyFile}; later runs with --save-cert ${flags.saveCert} reuse them`);
  }
  const setup = describe(cert, key, ` (self-signed, generated now for ${names.join(', ')})`, flags.saveCert);
  append(setup.lines, lines);
  if (!flags.saveCert) setup.lines.push('this certificate is new on every start: add --save-cert wer-sniff.crt to keep it, so Windows has to trust it only once');
  return setup;
}

function fromFiles(certFile: string, keyFile: string, note: string): TlsSetup {
  const read = (file: string, flag: string) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new WerSniffError('tls-files', `cannot read ${flag} ${file}: ${inWords(err)} — check the path`, 2);
    }
  };
  return describe(read(certFile, '--cert'), read(keyFile, '--key'), note, certFile, keyFile);
}

function describe(cert: string, key: string, note: string, certFile?: string, keyFile = `${certFile}.key`): TlsSetup {
  let context: tls.SecureContext;
  let x509: crypto.X509Certificate;
  try {
    x509 = new crypto.X509Certificate(cert);
    context = tls.createSecureContext({ cert, key });
  } catch (err) {
    const which = certFile ? ` (${certFile}, ${keyFile})` : '';
    throw new WerSniffError('tls-files', `cannot use the certificate and key${which}: ${(err as Error).message} — give PEM files of a certificate and its private key`, 2);
  }
  const subject = x509.subject.replace(/\n/g, ', ');
  const file = certFile ?? 'wer-sniff.crt';
  return {
    context,
    pem: { cert, key },
    lines: [
      `TLS: certificate ${subject}${note}, valid until ${new Date(x509.validTo).toISOString().slice(0, 10)}`,
      `TLS: SHA-256 fingerprint ${x509.fingerprint256}`,
      `TLS: SHA-1 thumbprint (what Windows shows) ${x509.fingerprint.replace(/:/g, '').toLowerCase()}`,
      `TLS: on Windows, as administrator: certutil -addstore Root ${file}  and  reg add "HKLM\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting" /v CorporateWERUseSSL /t REG_DWORD /d 1 /f`,
    ],
  };
}

/** Names clients may use to reach this machine: --cert-name values, the host name, localhost,
 * the bind address (unless a wildcard) and every local interface address. */
function generate(extra: string[], bind: string, now: number): { cert: string; key: string; names: string[] } {
  const dns = new Set<string>();
  const ips = new Set<string>(['127.0.0.1', '::1']);
  for (const n of extra) (net.isIP(n) ? ips : dns).add(n);
  dns.add(os.hostname());
  dns.add('localhost');
  if (net.isIP(bind) && bind !== '0.0.0.0' && bind !== '::') ips.add(bind);
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (!a.address.includes('%') && !a.address.startsWith('fe80:')) ips.add(a.address);
  }
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dnsNames = [...dns].filter((n) => /^[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(n));
  const serial = crypto.randomBytes(16);
  serial[0]! &= 0x7f;
  serial[0]! |= 0x01; // positive, 16 bytes
  const { pem } = buildSelfSignedCert({
    privateKey, publicKey, commonName: dnsNames[0] ?? 'wer-sniff', dnsNames, ipAddresses: [...ips],
    notBefore: now - DAY, notAfter: now + VALID_DAYS * DAY, serial,
  });
  return { cert: pem, key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, names: [...dnsNames, ...ips] };
}
