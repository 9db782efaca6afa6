// One TCP connect to the relay's upstream at start-up, so a wrong --to (no such host, nothing
// listening) is said at once instead of at the first client. The relay listens either way.
import net from 'node:net';
import { inWords } from '../../errors.js';

/** Resolves with undefined when the upstream accepted a connection within `timeoutMs`, else
 * with what went wrong, in words. The probe connection is closed at once. */
export function probeUpstream(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(`no answer within ${timeoutMs} ms`), timeoutMs);
    timer.unref();
    socket.once('connect', () => done(undefined));
    socket.once('error', (e) => done(inWords(e)));
  });
}
