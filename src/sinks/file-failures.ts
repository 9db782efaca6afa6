// The file-failure policy of a run's output files: a file that fails (disk full, I/O error) is
// closed and its output disabled with one notice; everything else goes on, and the run's exit
// code says so. The run stops only when nothing records the traffic any more.
import type { CaptureEvent, Sink } from '../model.js';
import { SyncFileStream } from './sync-file.js';
import { WerSniffError, inWords } from '../errors.js';

/** One output file: its path, what it is in words (`pcap file`), and the label that names it
 * to the user (`-w cap.pcap`). */
export interface OutputFile {
  path: string;
  what: string;
  label: string;
}

/** The output files of one run. Only when no output records the traffic any more — every file
 * failed and `otherRecord()` says nothing else keeps it (no report folders, and stdout a
 * terminal or /dev/null rather than a file or pipe) — does the run end (`error`), since
 * serving on would lose what clients send. */
export class OutputFiles {
  first: WerSniffError | undefined;
  private fail!: (err: WerSniffError) => void;
  readonly error = new Promise<WerSniffError>((resolve) => (this.fail = resolve));
  private readonly failed = new Set<string>();
  private readonly opened: string[] = [];

  /** Keys of the files opened, by their label (`-o cap.bin`), for hasFailed. */
  private readonly byLabel = new Map<string, string>();

  constructor(private readonly otherRecord: () => boolean, private readonly notice: (line: string) => void) {}

  /** Whether the output a label names (`-o cap.bin`, `-w x.pcap`, `--har x.har`) has failed. */
  hasFailed(label: string): boolean {
    const key = this.byLabel.get(label);
    return key !== undefined && this.failed.has(key);
  }

  async open(file: OutputFile, append = false): Promise<SyncFileStream> {
    const { path, what } = file;
    let stream: SyncFileStream;
    try {
      stream = new SyncFileStream(path, append);
    } catch (err) {
      throw new WerSniffError('output-unwritable', `cannot write ${what} ${path}: ${inWords(err)} — check the path and permissions`);
    }
    this.opened.push(keyOf(file));
    this.byLabel.set(file.label, keyOf(file));
    stream.on('error', (err: NodeJS.ErrnoException) => this.fault(file, err));
    return stream;
  }

  private fault(file: OutputFile, err: NodeJS.ErrnoException): void {
    const key = keyOf(file);
    if (this.failed.has(key)) return;
    this.failed.add(key);
    const { path, what } = file;
    const code = err.code ?? err.message;
    const hint = code === 'ENOSPC' ? 'free some space' : 'check the disk and the path';
    const rest = this.opened.length > this.failed.size ? 'the other outputs go on' : 'stdout goes on';
    this.notice(`writing ${what} ${path} failed: ${code} — ${what} closed, ${rest}; ${hint} and restart to record to it again`);
    this.first ??= new WerSniffError('output-failed', `${what} ${path} failed during the run (${code}); it holds what was written before that`);
    if (this.failed.size === this.opened.length && !this.otherRecord()) {
      this.fail(new WerSniffError('output-failed', `every output file failed (${[...this.failed].join(', ')}) and nothing else records the traffic — stopped so nothing goes unrecorded`));
    }
  }

  /** `sink` until its file fails, a no-op after: it is never written to, waited for or closed
   * again, and a failure never throws out of close(). */
  guard<S extends Sink>(sink: S, file: OutputFile): S {
    return guarded(sink, () => this.failed.has(keyOf(file)), (err) => this.fault(file, err));
  }
}

const keyOf = (file: OutputFile): string => `${file.what} ${file.path}`;

/** `sink` while `off()` is false, a no-op after (not written to, waited for or closed: its
 * stream is gone), its end-of-run findings included. A failure while
 * closing goes to `onCloseError` instead of out of close(). */
export function guarded<S extends Sink>(sink: S, off: () => boolean, onCloseError?: (err: NodeJS.ErrnoException) => void): S {
  const s: Sink = sink;
  const wrapped: Sink = {
    chunk: s.chunk && ((c, conn) => void (off() || s.chunk!(c, conn))),
    event: s.event && ((ev: CaptureEvent) => void (off() || s.event!(ev))),
    findings: s.findings && ((found) => void (off() || s.findings!(found))),
    shutdown: s.shutdown && ((conn, source, how, ts) => void (off() || s.shutdown!(conn, source, how, ts))),
    waitDrain: s.waitDrain && ((connId?: number) => {
      const wait = off() ? null : s.waitDrain!(connId);
      // A stream that fails while waited for never drains: stop waiting when it fails.
      return wait && wait.catch(() => undefined);
    }),
    close: async () => {
      if (off()) return;
      await (onCloseError ? s.close().catch(onCloseError) : s.close());
    },
  };
  return wrapped as unknown as S;
}
