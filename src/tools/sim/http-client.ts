// A small keep-alive HTTP/1.1 client over one socket that reads answers with our own framer —
// enough to behave like the Windows WER client, including raw `\` request-targets that
// node:http would refuse to send.
import net from 'node:net';
import { createFramer } from '../../pipeline/http/framer.js';
import type { Header, ResponseHead } from '../../model.js';
import { BodyAssembler } from '../../pipeline/http/body-assembler.js';
import { WerSniffError, inWords } from '../../errors.js';
import { formatAddress } from '../../util/address.js';

export interface SimResponse {
  head: ResponseHead;
  body: Buffer;
  interim: ResponseHead[];
}

export class SimClient {
  private readonly framer = createFramer({ mode: 'response', source: 'server' });
  private waiting: { resolve(r: SimResponse): void; reject(e: Error): void } | undefined;
  private head: ResponseHead | undefined;
  private body = new BodyAssembler();
  private interim: ResponseHead[] = [];
  private failure: Error | undefined;

  /** Set while a request waits: the server sent nothing for the --timeout. */
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly socket: net.Socket, private readonly where: string, private readonly timeoutMs: number) {
    socket.on('data', (b: Buffer) => this.onData(b));
    socket.on('error', (e: NodeJS.ErrnoException) => this.fail(new WerSniffError('sim-socket', `connection to ${where} failed: ${inWords(e)}`)));
    socket.on('close', () => this.fail(new WerSniffError('sim-closed', `${where} closed the connection before answering — is it a CER server (wer-sniff listen)?`, 4)));
  }

  static connect(host: string, port: number, timeoutMs: number): Promise<SimClient> {
    const where = formatAddress(host, port);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new WerSniffError('sim-timeout', `${where} did not accept the connection within ${timeoutMs} ms — is wer-sniff listen (or your CER server) running there?`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new SimClient(socket, where, timeoutMs));
      });
      socket.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const hint = e.code === 'ECONNREFUSED' ? ' — is wer-sniff listen (or your CER server) running there?' : '';
        reject(new WerSniffError('sim-connect', `cannot connect to ${where}: ${inWords(e)}${hint}`));
      });
    });
  }

  /** The connection is gone (the server closed it, or it failed). */
  get closed(): boolean {
    return this.socket.destroyed || this.socket.readableEnded || this.failure !== undefined;
  }

  /** Sends a request and resolves with the final response. */
  request(method: string, target: string, headers: Header[], body: Buffer): Promise<SimResponse> {
    if (this.failure) return Promise.reject(this.failure);
    this.framer.expectResponseTo(method);
    const head = [`${method} ${target} HTTP/1.1`, ...headers.map(([n, v]) => `${n}: ${v}`), `Content-Length: ${body.length}`, '', ''].join('\r\n');
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
      this.armTimer();
    });
  }

  close(): void {
    this.waiting = undefined;
    this.disarm();
    this.socket.end();
  }

  /** Every wait for the server is bounded: nothing moved for timeoutMs fails the request
   * (exit 4, "connected but no answer"), e.g. against `nc -l` that never answers. */
  private armTimer(): void {
    this.disarm();
    this.timer = setTimeout(() => {
      this.socket.destroy();
      this.fail(new WerSniffError('sim-no-answer', `${this.where} accepted the connection but sent no answer within ${this.timeoutMs} ms — is it a CER server (wer-sniff listen), or does it need a longer --timeout?`, 4));
    }, this.timeoutMs);
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private onData(bytes: Buffer): void {
    if (this.waiting) this.armTimer();
    for (const ev of this.framer.push(bytes)) {
      if (ev.type === 'head' && ev.head.kind === 'response') this.head = ev.head;
      else if (ev.type === 'body') this.body.add(ev.data);
      else if (ev.type === 'problem') this.fail(new WerSniffError('sim-bad-response', `${this.where} sent a malformed answer: ${ev.problem.message}`, 4));
      else if (ev.type === 'end' && this.head) {
        const head = this.head;
        const body = this.body.finish(ev.framing, ev.trailers, ev.complete).data ?? Buffer.alloc(0);
        this.head = undefined;
        this.body = new BodyAssembler();
        if (head.status >= 100 && head.status < 200) this.interim.push(head);
        else {
          const w = this.waiting;
          this.waiting = undefined;
          this.disarm();
          const interim = this.interim;
          this.interim = [];
          w?.resolve({ head, body, interim });
        }
      }
    }
  }

  private fail(e: Error): void {
    this.disarm();
    this.failure ??= e;
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(e);
  }
}
