// One error type for failures the user must act on. `code` is stable (tests check it); the
// message is one line saying what went wrong and what to do.
import { formatAddress } from './capture/address.js';

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
