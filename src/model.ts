// The one data model every part of wer-sniff shares: bytes on the wire (Chunk), the
// connection they travelled on, HTTP messages framed from them, and the Exchange that pairs a
// request with its response. Types only; no behaviour lives here.

/** Which side sent the bytes: `client` = client→server, `server` = server→client. */
export type Direction = 'client' | 'server';

/** Exactly the bytes one read returned, never rewritten. `ts` is ms since the Unix epoch. */
export interface Chunk {
  connId: number;
  source: Direction;
  ts: number;
  bytes: Buffer;
}

/** One TCP connection as seen by the listener or relay. */
export interface ConnectionInfo {
  id: number;
  /** `address:port` of the client (IPv6 in brackets). */
  peer: string;
  /** `address:port` we accepted it on. */
  local: string;
  /** For relays: `host:port` of the upstream. */
  upstream?: string;
  /** The client spoke TLS to us (`--tls`); every recorded byte is the decrypted plaintext. */
  tls?: boolean;
  openedAt: number;
  closedAt?: number;
  /** Bytes received from the client / sent by the server so far. */
  bytesFromClient: number;
  bytesFromServer: number;
}

/** A header exactly as sent: original case, original order, duplicates kept. Bytes → latin1. */
export type Header = [name: string, value: string];

export interface RequestHead {
  kind: 'request';
  method: string;
  target: string;
  version: string;
  headers: Header[];
  /** The head bytes exactly as received, up to and including the blank line. */
  raw: Buffer;
}

export interface ResponseHead {
  kind: 'response';
  version: string;
  status: number;
  reason: string;
  headers: Header[];
  raw: Buffer;
}

export type MessageHead = RequestHead | ResponseHead;

/**
 * A message body after de-chunking. Bodies up to the in-memory limit are kept whole in
 * `data`; larger ones are still counted and hashed, and only `head` is kept.
 */
export interface Body {
  /** Decoded (de-chunked) length in bytes. */
  length: number;
  /** The whole body when `length <= maxBodyBytes` (and not `headOnly` or `spooled`), else
   * undefined. */
  data?: Buffer;
  /** First bytes of the body (≤ BODY_HEAD_BYTES; when `headOnly`, the part kept), always
   * present. */
  head: Buffer;
  /** sha256 (hex) of the de-chunked body. */
  sha256: string;
  /** While a large body's sha256 is still being computed on a helper thread: settles once
   * `sha256` is set (and is removed then). The pipeline holds the message's event until then,
   * so no output ever sees it. */
  sha256Later?: Promise<void>;
  /** How the length was determined (RFC 9112 §6.3). */
  framing: 'none' | 'content-length' | 'chunked' | 'until-close';
  /** Chunked trailers, if any. */
  trailers: Header[];
  /** False when the connection ended (or a problem struck) before the body was complete. */
  complete: boolean;  /** A level-2 upload streamed to a spool file and summarised from there, so `data` is not
   * kept although the body is under --max-body-bytes (its CAB view is the decoding). */
  spooled?: boolean;
  /** A request body over 1 MiB that nothing reads whole (not a level-1 report, not a CAB: see
   * domain/body/keep-whole.ts), so only `head` is kept in memory: its first 64 KiB when
   * binary (for the hexdumps), its first MiB when text (all the views decode of a body that
   * long, views.ts VIEW_DECODE_BYTES). Its length and sha256 name all of it, and its decoding
   * is that of `head` as a body of its length. --include-bodies and the inspector keep such
   * bodies whole. */
  headOnly?: boolean;
}

export interface HttpMessage<H extends MessageHead = MessageHead> {
  head: H;
  body: Body;
  /** Offsets in that direction's byte stream: first byte of the head, one past the last byte. */
  start: number;
  end: number;
  startTs: number;
  endTs: number;
  /** The decoded view of the body (charset, text, XML, report, level-1 answer, CAB summary):
   * domain/body/message.ts `decodedOf` computes it once, the first time the pipeline or an
   * output asks, and keeps it here so every later reader shares it. Typed there (this file
   * names no domain type); read it only through decodedOf. The CAB summary is added when the
   * CAB worker returns it (pipeline/workers/cab-offload.ts). */
  decoded?: unknown;
  /** The message's exact wire bytes (head, chunk sizes, extensions, trailers), set by the
   * Recorder on a chunked message of at most WIRE_LIMIT (256 KiB) bytes (pipeline/recorder.ts). Other
   * messages need none: their wire bytes are `head.raw` and `body.data` (http/wire-bytes.ts
   * `wireBytes` gives either). */
  wire?: Buffer;
}

export type Request = HttpMessage<RequestHead>;
export type Response = HttpMessage<ResponseHead>;

/** Something wrong in the traffic. Problems are data, never exceptions. */
export interface Problem {
  /** Stable code, e.g. `bad-request-line`, `header-too-large`, `bad-chunk-size`, `truncated-body`. */
  code: string;
  source: Direction;
  /** Offset in that direction's byte stream where it was found. */
  offset: number;
  message: string;
}

/** A request and what answered it, on one connection. */
export interface Exchange {
  /** 1-based sequence number within the connection. */
  seq: number;
  connection: ConnectionInfo;
  request?: Request;
  /** 1xx responses (e.g. `100 Continue`) in arrival order. */
  interim: Response[];
  response?: Response;
  problems: Problem[];
  /** The report id (`r1`, `r2`, … in the order reports completed), set by the conversation
   * tracker (pipeline/conversation.ts) on a level-1 report (POST to stage2.htm) and on the PUT
   * to the DumpFile its answer issued. The same id names the report's --save-dir folder. */
  reportId?: string;
  /** This exchange's part in a WER conversation, set by the conversation tracker before any
   * output sees the exchange (a PUT's as soon as its head is complete). */
  wer?: ConversationRole;
}

/**
 * One WER conversation (MS-CER2 §3.1.5) as the pipeline's conversation tracker links it: a
 * level-1 report, the answer to it, and the upload(s) of the CAB that answer asked for. Every
 * exchange of it points here (`Exchange.wer`). It holds no message and no body, so it may
 * outlive them; the tracker updates it as the answer and uploads come.
 */
export interface Conversation {
  /** The report id; only for a POST to stage2.htm (a `<WERREPORT>` posted elsewhere has none). */
  reportId?: string;
  /** Where the report was sent: its connection and exchange sequence number. */
  connection: ConnectionInfo;
  seq: number;
  /** Status of the answer to the report, once it was seen. */
  answerStatus?: number;
  /** The DumpFile the answer issued with iData=1, as sent, once the answer was seen. */
  dumpFile?: string;
  /** Uploads linked to this report so far. */
  uploads: number;
}

/** What an exchange is in its conversation: the report (its request and the answer), or an
 * upload. An upload is linked `by` `dump-file` when it was PUT to the path the answer issued,
 * or by `connection` when it went to another path and this report was the latest one on the
 * same connection still without an upload. `n` counts the report's uploads: 1 for the first,
 * 2 for one sent again, … */
export type ConversationRole =
  | { role: 'report'; conversation: Conversation }
  | { role: 'upload'; conversation: Conversation; by: 'dump-file' | 'connection'; n: number };

/** How bad a check finding is. */
export type Severity = 'error' | 'warning' | 'note';

/** One MS-CER2 conformance finding (analysis/check/rules.ts makes them, from its rule table). */
export interface Finding {
  severity: Severity;
  /** The rule's id (analysis/check/rules.ts `RULES`). */
  rule: string;
  /** MS-CER2 section, e.g. `§2.2.1.3.6`. */
  section: string;
  /** Where docs/protocol.md explains it, e.g. `docs/protocol.md §3.2`. */
  ref: string;
  /** One line: what is wrong. */
  message: string;
  /** One line: what to change. */
  fix: string;
}

/** Findings about one report (or one unpaired PUT), and when they were found. */
export interface ReportFindings {
  ts: number;
  /** The connection and exchange of the level-1 report (of the PUT when unpaired). */
  connection: ConnectionInfo;
  seq: number;
  reportId?: string;
  /** `report`: the request itself; `answer`: the server's answer; `upload`: the PUT;
   * `end`: what never came by the end of the connection or run. */
  stage: 'report' | 'answer' | 'upload' | 'end';
  /** `<connection id>:<seq>` of the report (or unpaired PUT): the same for all its stages. */
  key: string;
  /** The exchange itself, at the `report` stage (and for an unpaired PUT) only: later stages
   * do not keep exchanges (and their bodies) alive. */
  exchange?: Exchange;
  findings: Finding[];
}

/** Fields every event may carry besides its own. */
export interface EventExtras {
  /** What the checks found when this event came, per report concerned (a clean report has
   * an entry with no finding), when the run checks (the Recorder's `check`: on when an output
   * shows findings). Only a request, a response or a close carries them (a close: reports of
   * the connection that never got an answer); absent when nothing was found to report. */
  findings?: ReportFindings[];
}

/**
 * What flows to every output. Listener, relay and offline decode all produce this stream,
 * so every sink works the same live and offline.
 */
export type CaptureEvent = EventExtras & (
  | { type: 'open'; ts: number; connection: ConnectionInfo }
  /** A request is complete (its body fully received). */
  | { type: 'request'; ts: number; connection: ConnectionInfo; exchange: Exchange }
  /** A final response is complete; `exchange.request` may be missing (response-only input). */
  | { type: 'response'; ts: number; connection: ConnectionInfo; exchange: Exchange }
  /** A 1xx answer (e.g. `100 Continue`) is complete: shown when it was sent, which for
   * `Expect: 100-continue` is before the request's body has arrived. Also kept in
   * `exchange.interim`. */
  | { type: 'interim'; ts: number; connection: ConnectionInfo; exchange: Exchange; response: Response }
  | { type: 'problem'; ts: number; connection: ConnectionInfo; problem: Problem }
  /** Bytes that could not be framed (after a problem): shown escaped, never dropped. */
  | { type: 'raw'; ts: number; connection: ConnectionInfo; source: Direction; offset: number; bytes: Buffer }
  | { type: 'close'; ts: number; connection: ConnectionInfo; reason?: string }
  /** A connection turned away before any HTTP byte was read: outside --allow/--deny, beyond
   * --max-conns, or a failed TLS handshake. It never had an `open`; `connection.id` is 0. */
  | { type: 'refused'; ts: number; connection: ConnectionInfo; reason: 'denied' | 'max-conns' | 'tls-handshake' | 'no-descriptors'; message: string });

/** An output. `chunk` sees every wire chunk (raw, pcap); `event` sees the framed stream. */
export interface Sink {
  chunk?(chunk: Chunk, connection: ConnectionInfo): void;
  event?(event: CaptureEvent): void;
  /** One side stopped sending, in order with its chunks: `fin` = it closed its half (TCP FIN),
   * `reset` = it reset the connection (TCP RST). At most once per side, before `close`; a side
   * never reported was still open (or its end is unknown) when the connection closed. */
  shutdown?(connection: ConnectionInfo, source: Direction, how: 'fin' | 'reset', ts: number): void;
  /** A promise that resolves once the sink's buffer has drained, or null when it is not
   * backed up. Sources pause reading until then, so a slow output slows the capture instead of
   * filling memory. `connId`: the connection whose chunk was just taken, when the source can
   * pause that one alone (the listener); a sink may then ask to pause only it (raw.ts). */
  waitDrain?(connId?: number): Promise<void> | null;
  /** Findings at the end of the run (a CAB that was asked for and never came), before close,
   * when the run checks (see `event.findings`). */
  findings?(found: ReportFindings[]): void;
  /** Flush and release; resolves when everything is written. */
  close(): Promise<void>;
}

/** Sees request heads and body bytes as they arrive, before the exchange is complete (the
 * progress line, the --save-dir writer's upload files). */
export interface BodyObserver {
  onRequestHead?(exchange: Exchange, head: RequestHead): void;
  onBodyData?(exchange: Exchange, source: Direction, data: Buffer): void;
}
