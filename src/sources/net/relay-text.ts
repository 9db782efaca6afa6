// Text helpers for the relay: `host:port` parsing and formatting, byte counts and upstream
// failures worded for humans, a failed listen in words, and the canned 502 answer. Pure; no
// sockets.
import { isIPv6 } from 'node:net';
import { WerSniffError } from '../../errors.js';
import { formatAddress } from '../../util/address.js';

/** Parses `host:port`, `[v6]:port`, or a bare `host` / `[v6]` when `defaultPort` is given.
 * IPv6 addresses come back without brackets (as `net.connect` wants them). Throws a
 * WerSniffError with code `bad-address`. */
export function parseHostPort(s: string, defaultPort?: number): { host: string; port: number } {
  const text = s.trim();
  const fail = (why: string): never => {
    throw new WerSniffError('bad-address', `bad address "${s}": ${why} (expected host:port, e.g. 127.0.0.1:1273 or [::1]:1273)`);
  };
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0) fail('missing "]"');
    host = text.slice(1, end);
    const rest = text.slice(end + 1);
    if (rest.startsWith(':')) portText = rest.slice(1);
    else if (rest !== '') fail(`unexpected "${rest}" after "]"`);
    if (!isIPv6(host)) fail(`"${host}" is not an IPv6 address`);
  } else {
    const colon = text.indexOf(':');
    if (colon !== text.lastIndexOf(':')) fail('IPv6 addresses need brackets, e.g. [::1]:1273');
    host = colon < 0 ? text : text.slice(0, colon);
    if (colon >= 0) portText = text.slice(colon + 1);
    if (!/^[A-Za-z0-9._-]+$/.test(host)) fail(host === '' ? 'missing host' : `bad host "${host}"`);
  }
  let port: number;
  if (portText === undefined) {
    if (defaultPort === undefined) fail('missing port');
    port = defaultPort!;
  } else {
    if (!/^\d{1,5}$/.test(portText)) fail(`bad port "${portText}"`);
    port = Number(portText);
  }
  if (!(port >= 1 && port <= 65535)) fail(`port ${port} out of range 1-65535`);
  return { host, port };
}


/** Why a connection to the upstream failed, as a verb phrase ending with the code:
 * "refused the connection (ECONNREFUSED)". */
export function describeUpstreamError(err: NodeJS.ErrnoException, connectTimeoutMs: number): string {
  const code = err.code ?? 'EUNKNOWN';
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused the connection (ECONNREFUSED)';
    case 'ETIMEDOUT':
      return `did not accept the connection within ${connectTimeoutMs} ms (ETIMEDOUT)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `could not be resolved (${code})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `is unreachable (${code})`;
    case 'ECONNRESET':
      return 'reset the connection (ECONNRESET)';
    default:
      // --upstream-tls: node's certificate checks and OpenSSL's handshake errors.
      if (/CERT|SIGNATURE|ALTNAME|ISSUER/.test(code)) {
        return `failed TLS verification: ${err.message} (${code}) — give its CA with --upstream-ca, or --insecure to skip the check`;
      }
      if (code.startsWith('ERR_SSL_')) return `failed the TLS handshake: ${err.message.split('\n')[0]} (${code}) — does it speak TLS on that port?`;
      return `could not be reached: ${err.message}${err.message.includes(code) ? '' : ` (${code})`}`;
  }
}

/** A minimal `502 Bad Gateway` naming the upstream and the reason; the connection closes. */
export function makeBadGateway(upstream: string, what: string): Buffer {
  const body = Buffer.from(`wer-sniff: upstream ${upstream} ${what}\n`, 'utf8');
  const head =
    'HTTP/1.1 502 Bad Gateway\r\n' +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    `Content-Length: ${body.length}\r\n` +
    'Connection: close\r\n\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** A failed listen() in words: where, and why in plain terms, keeping the errno code. */
export function toListenError(err: NodeJS.ErrnoException, opts: { bind: string; port: number }): Error {
  const where = formatAddress(opts.bind, opts.port);
  const why =
    err.code === 'EADDRINUSE' ? 'address already in use'
    : err.code === 'EACCES' ? 'permission denied'
    : err.code === 'EADDRNOTAVAIL' ? 'address not available on this machine'
    : err.message;
  return Object.assign(new Error(`cannot listen on ${where}: ${why}${err.code ? ` (${err.code})` : ''}`), {
    code: err.code ?? 'ELISTEN',
    cause: err,
  });
}
