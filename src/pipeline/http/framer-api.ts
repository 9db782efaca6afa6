// The contract of the incremental HTTP/1.1 framer (implemented in framer.ts). Pure: bytes in,
// events out; no sockets, no clock, no console.
import type { Direction, MessageHead, Header, Problem, Body } from '../../model.js';

/** `request`: a client→server stream. `response`: server→client. `auto`: sniff each message
 * (a line starting `HTTP/` is a response) — for offline decode of mixed captures. */
export type FramerMode = 'request' | 'response' | 'auto';

export interface FramerOptions {
  mode: FramerMode;
  source: Direction;
  /** Largest head (start line + headers + blank line) accepted. Default MAX_HEADER_BYTES. */
  maxHeaderBytes?: number;
}

export type FramerEvent =
  /** A complete head. `offset`: stream offset of its first byte. `declaredLength`: the
   * Content-Length its body is framed by, when it is (a claim: the body may end sooner). */
  | { type: 'head'; head: MessageHead; offset: number; declaredLength?: number }
  /** De-chunked body bytes, in order; may come in many pieces. `offset`: stream offset where
   * this piece's wire bytes start. */
  | { type: 'body'; data: Buffer; offset: number }
  /** The message is over. `offset`: one past its last wire byte. `complete` is false when the
   * stream ended or a problem struck before the declared end. */
  | { type: 'end'; offset: number; framing: Body['framing']; trailers: Header[]; complete: boolean }
  | { type: 'problem'; problem: Problem }
  /** Bytes that cannot be framed (everything after a fatal problem, or a tunnel): never dropped. */
  | { type: 'raw'; data: Buffer; offset: number };

export interface Framer {
  /** Feed the next bytes of the stream (split anywhere). Returns the events they complete. */
  push(bytes: Buffer): FramerEvent[];
  /** The stream ended (FIN/close): flush, close an until-close body, report truncation. */
  end(): FramerEvent[];
  /** Response framers: the method of the next request the server will answer, in order
   * (HEAD and CONNECT change how the response is framed). With none queued, GET is assumed. */
  expectResponseTo(method: string): void;
  /** Total bytes pushed so far. */
  readonly offset: number;
  /** True once the stream is treated as raw (after a fatal problem). */
  readonly isRaw: boolean;
}

export const MAX_HEADER_BYTES = 64 * 1024;
