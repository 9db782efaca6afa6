// Who may talk to the inspector, and the headers every answer carries. The wire is hostile and
// the page is a target: a random token (in the page URL once, then an HttpOnly SameSite=Strict
// cookie) is needed for every request, the Host header must name the address the inspector is
// bound to (a page on another site that rebinds its DNS name to 127.0.0.1 sends its own name),
// and every answer forbids inline script, eval, framing and type sniffing.
import crypto from 'node:crypto';
import os from 'node:os';
import net from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';

export function newToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

/** Whether the address (or `localhost`) only reaches this machine. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  return mapped ? mapped[1]!.startsWith('127.') : false;
}

/** `host:port` as a URL and a Host header write it (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The Host header values that name this inspector: the bound address (or name) with its port;
 * for loopback also the other loopback spellings; for a wildcard bind every local address. */
export function allowedHosts(bind: string, port: number): Set<string> {
  const names = new Set<string>([bind]);
  if (isLoopback(bind)) for (const n of ['localhost', '127.0.0.1', '::1']) names.add(n);
  if (bind === '0.0.0.0' || bind === '::') {
    names.add('localhost');
    names.add(os.hostname());
    for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) names.add(a.address);
  }
  return new Set([...names].map((n) => hostPort(n, port).toLowerCase()));
}

export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Headers on every answer, whatever it is. */
export function setCommonHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
}

export function cookieName(port: number): string {
  return `wer_sniff_${port}`;
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function sameToken(a: string | undefined | null, token: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(token);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export type Verdict = { ok: true; fromQuery: boolean } | { ok: false; status: 401 | 403; message: string };

/** Host first (a rebinding page has no token anyway, but says who it is), then the token. */
export function checkAccess(req: IncomingMessage, url: URL, token: string, hosts: Set<string>, port: number): Verdict {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.has(host)) return { ok: false, status: 403, message: 'wrong Host: open the inspector by the address it printed' };
  if (sameToken(cookieValue(req, cookieName(port)), token)) return { ok: true, fromQuery: false };
  if (sameToken(url.searchParams.get('token'), token)) return { ok: true, fromQuery: true };
  return { ok: false, status: 401, message: 'no valid token: open the URL with ?token=… that wer-sniff printed' };
}

export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** A file name safe in Content-Disposition and on any file system: letters, digits, `.-_`. */
export function safeFileName(name: string, fallback: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 100);
  return clean || fallback;
}

export function attachment(name: string): string {
  return `attachment; filename="${name}"`;
}
