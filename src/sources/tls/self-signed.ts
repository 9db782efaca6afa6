// Builds a self-signed X.509 v3 server certificate (RFC 5280) for `--tls` without --cert/--key:
// RSA 2048 / sha256WithRSAEncryption (what every Windows since Vista accepts), CA:TRUE so it can
// sit in a Windows Root store, serverAuth, and the names and addresses clients use in the
// subjectAltName. Time and serial come in as arguments; key generation and file I/O live
// in cli/tls-setup.ts. It builds exactly one kind of certificate; it is not an X.509 library.
import crypto from 'node:crypto';
import net from 'node:net';
import {
  NULL, TRUE, bitString, explicit, implicit, integer, octetString, oid, sequence, set, time, toPem, utf8String,
} from './der.js';

export interface SelfSignedRequest {
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
  commonName: string;
  /** Host names for the subjectAltName (a client checks the name it connected to against it). */
  dnsNames: string[];
  ipAddresses: string[];
  notBefore: number;
  notAfter: number;
  /** Positive serial number, at most 20 bytes (RFC 5280 §4.1.2.2). */
  serial: Buffer;
}

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), NULL);

export function buildSelfSignedCert(req: SelfSignedRequest): { der: Buffer; pem: string } {
  const spki = req.publicKey.export({ type: 'spki', format: 'der' });
  const name = sequence(
    set(sequence(oid('2.5.4.10'), utf8String('wer-sniff'))),
    set(sequence(oid('2.5.4.3'), utf8String(req.commonName))),
  );
  // RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bytes.
  const keyId = crypto.createHash('sha1').update(publicKeyBits(req.publicKey)).digest();
  const san = sequence(
    ...req.dnsNames.map((n) => implicit(2, Buffer.from(n, 'ascii'))),
    ...req.ipAddresses.map((a) => implicit(7, ipBytes(a))),
  );
  const extensions = sequence(
    extension('2.5.29.19', true, sequence(TRUE)), // basicConstraints: CA
    extension('2.5.29.15', true, bitString(Buffer.from([0xa4]), 2)), // keyUsage: digitalSignature, keyEncipherment, keyCertSign
    extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
    extension('2.5.29.14', false, octetString(keyId)), // subjectKeyIdentifier
    extension('2.5.29.35', false, sequence(implicit(0, keyId))), // authorityKeyIdentifier (itself)
    extension('2.5.29.17', false, san), // subjectAltName
  );
  const tbs = sequence(
    explicit(0, integer(2)), // v3
    integer(req.serial),
    SHA256_WITH_RSA,
    name,
    sequence(time(req.notBefore), time(req.notAfter)),
    name,
    spki,
    explicit(3, extensions),
  );
  const signature = crypto.sign('sha256', tbs, req.privateKey);
  const der = sequence(tbs, SHA256_WITH_RSA, bitString(signature));
  return { der, pem: toPem(der, 'CERTIFICATE') };
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), TRUE, octetString(value)) : sequence(oid(id), octetString(value));
}

/** The subjectPublicKey bits inside the SPKI: its last element, a BIT STRING. */
function publicKeyBits(key: crypto.KeyObject): Buffer {
  if (key.asymmetricKeyType === 'rsa') return key.export({ type: 'pkcs1', format: 'der' });
  throw new Error(`unsupported key type ${key.asymmetricKeyType}`);
}

/** 4 bytes for IPv4, 16 for IPv6 (`::` expanded, an embedded dotted quad kept). */
export function ipBytes(address: string): Buffer {
  const kind = net.isIP(address);
  if (kind === 4) return Buffer.from(address.split('.').map(Number));
  if (kind !== 6) throw new Error(`not an IP address: ${address}`);
  let text = address.replace(/%.*$/, '');
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad[1]!.split('.').map(Number) as [number, number, number, number];
    text = text.slice(0, -quad[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [left, right] = text.split('::') as [string, string | undefined];
  const l = left ? left.split(':') : [];
  const r = right ? right.split(':') : [];
  const groups = right === undefined ? l : [...l, ...Array<string>(8 - l.length - r.length).fill('0'), ...r];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
