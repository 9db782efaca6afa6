// What `replay` sends, whatever the capture format: a list of connections, each a list of
// request byte blobs sent in order on one connection. Raw captures (split-requests.ts), HAR
// (har-requests.ts) and pcap (each TCP connection's client→server bytes through
// `splitRequests`) all produce this.
// Pure types and helpers; no I/O.

export interface ReplayConnection {
  /** Where it came from, for messages: `capture.bin`, `capture.har #3`. */
  name: string;
  /** Each request's exact bytes (head and body as they are to be sent). */
  requests: Buffer[];
}

export interface ReplaySource {
  connections: ReplayConnection[];
  /** How faithful the rebuild is, or what was left out: one line each, shown on stderr. */
  notes: string[];
}
