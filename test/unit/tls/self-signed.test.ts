import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { bitString, integer, oid, time, tlv } from '../../../src/sources/tls/der.js';
import { buildSelfSignedCert, ipBytes } from '../../../src/sources/tls/self-signed.js';
import { hasCommand } from '../../helpers/cli.js';

const hex = (b: Buffer) => b.toString('hex');

describe('DER', () => {
  test('lengths: short form below 128, long form above', () => {
    expect(hex(tlv(0x04, Buffer.alloc(127)).subarray(0, 2))).toBe('047f');
    expect(hex(tlv(0x04, Buffer.alloc(128)).subarray(0, 3))).toBe('048180');
    expect(hex(tlv(0x04, Buffer.alloc(300)).subarray(0, 4))).toBe('0482012c');
  });
  test('INTEGER is minimal two\'s complement', () => {
    expect(hex(integer(2))).toBe('020102');
    expect(hex(integer(0))).toBe('020100');
    expect(hex(integer(128))).toBe('02020080');
    expect(hex(integer(Buffer.from([0, 0, 0x7f])))).toBe('02017f');
    expect(hex(integer(Buffer.from([0xff, 1])))).toBe('020300ff01');
  });
  test('OBJECT IDENTIFIER with multi-byte arcs', () => {
    expect(hex(oid('1.2.840.113549.1.1.11'))).toBe('06092a864886f70d01010b');
    expect(hex(oid('2.5.29.17'))).toBe('0603551d11');
  });
  test('times: UTCTime before 2050, GeneralizedTime after', () => {
    expect(time(Date.UTC(2026, 10, 25, 3, 4, 5)).toString('latin1')).toBe('\x17\x0d261125030405Z');
    expect(time(Date.UTC(2051, 0, 2, 3, 4, 5)).toString('latin1')).toBe('\x18\x0f20510102030405Z');
  });
  test('BIT STRING carries its unused-bit count', () => {
    expect(hex(bitString(Buffer.from([0xa4]), 2))).toBe('030202a4');
  });
  test('IP addresses for subjectAltName', () => {
    expect(hex(ipBytes('192.0.2.5'))).toBe('c0000205');
    expect(hex(ipBytes('::1'))).toBe('00000000000000000000000000000001');
    expect(hex(ipBytes('fd00::1:2'))).toBe('fd000000000000000000000000010002');
    expect(hex(ipBytes('::ffff:10.0.0.1'))).toBe('00000000000000000000ffff0a000001');
    expect(hex(ipBytes('1:2:3:4:5:6:7:8'))).toBe('00010002000300040005000600070008');
  });
});

describe('self-signed certificate', () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = Date.UTC(2026, 10, 25, 3, 0, 0);
  const { pem, der } = buildSelfSignedCert({
    privateKey, publicKey, commonName: 'wer.example.test', dnsNames: ['wer.example.test', 'localhost'],
    ipAddresses: ['127.0.0.1', '::1', '192.0.2.5'], notBefore: now - 86_400_000, notAfter: now + 825 * 86_400_000,
    serial: Buffer.from('7a'.repeat(16), 'hex'),
  });
  const x = new crypto.X509Certificate(pem);

  test('node parses it, its signature verifies with its own key, it is a CA for itself', () => {
    expect(x.raw.equals(der)).toBe(true);
    expect(x.verify(publicKey)).toBe(true);
    expect(x.checkIssued(x)).toBe(true);
    expect(x.ca).toBe(true);
    expect(x.subject).toBe('O=wer-sniff\nCN=wer.example.test');
    expect(x.serialNumber.toLowerCase()).toBe('7a'.repeat(16));
    expect(new Date(x.validFrom).getTime()).toBe(now - 86_400_000);
    expect(new Date(x.validTo).getTime()).toBe(now + 825 * 86_400_000);
    expect(x.publicKey.export({ type: 'spki', format: 'der' }).equals(publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
  });

  test('names and addresses clients check are in the subjectAltName', () => {
    expect(x.checkHost('wer.example.test')).toBe('wer.example.test');
    expect(x.checkHost('localhost')).toBe('localhost');
    expect(x.checkHost('other.example.test')).toBeUndefined();
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.checkIP('::1')).toBe('::1');
    expect(x.checkIP('192.0.2.6')).toBeUndefined();
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  test.skipIf(!hasCommand('openssl', 'version'))('openssl accepts it under -x509_strict as a server certificate', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wer-cert-'));
    try {
      const file = path.join(dir, 'c.pem');
      fs.writeFileSync(file, pem);
      const v = spawnSync('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-attime', String(now / 1000), '-CAfile', file, file], { encoding: 'utf8' });
      expect(v.stdout + v.stderr).toContain(': OK');
      const t = spawnSync('openssl', ['x509', '-in', file, '-noout', '-ext', 'subjectAltName,basicConstraints,keyUsage'], { encoding: 'utf8' });
      expect(t.stdout).toContain('DNS:wer.example.test, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:192.0.2.5');
      expect(t.stdout).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
      expect(t.stdout).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment, Certificate Sign/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
