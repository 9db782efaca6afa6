// One error type for failures the user must act on. `code` is stable (tests check it); the
// message is one line saying what went wrong and what to do.
import { formatAddress } from './util/address.js';

export class WerSniffError extends Error {
  constructor(readonly code: string, message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'WerSniffError';
  }
}

/** A one-line explanation of a listen/bind failure. */
export function describeListenError(err: NodeJS.ErrnoException, bind: string, port: number): WerSniffError {
  const where = formatAddress(bind, port);
  switch (err.code) {
    case 'EADDRINUSE':
      return new WerSniffError('port-in-use', `port ${port} is in use on ${bind} — stop the other program or try -p 0`);
    case 'EACCES':
      return new WerSniffError('port-denied', `not allowed to listen on ${where} — ports below 1024 need privileges; try -p 1273`);
    case 'EADDRNOTAVAIL':
      return new WerSniffError('bad-bind', `cannot bind ${where}: no such local address — try -b 0.0.0.0 or -b 127.0.0.1`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new WerSniffError('bad-bind', `cannot resolve bind address "${bind}" — give an IP address such as 0.0.0.0`);
    default:
      return new WerSniffError('listen-failed', `cannot listen on ${where}: ${err.message}`);
  }
}

/** System error codes in words; the code stays in brackets for searching. */
const IN_WORDS: Record<string, string> = {
  EISDIR: 'is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EEXIST: 'already exists',
  ENOSPC: 'the disk is full',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many open files',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be looked up (DNS did not answer)',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
};

/** `is a folder (EISDIR)` for a system error; its message for anything else. */
export function inWords(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code;
  if (code && IN_WORDS[code]) return `${IN_WORDS[code]} (${code})`;
  return code ?? (e as Error)?.message ?? String(err);
}
