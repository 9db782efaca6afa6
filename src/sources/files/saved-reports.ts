// What `wer-sniff ls` shows of a save-dir: one row of facts per report folder, oldest first.
// Each folder's report and answer (not its CAB: its size is read from the disk) go through the
// same input layer and Recorder as `decode`, so `--filter` sees exactly the exchange `decode`
// would filter, in the same language. Facts only: render/format-saved.ts makes the lines.
import path from 'node:path';
import type { CaptureEvent, Exchange, Sink } from '../../model.js';
import { Recorder } from '../../pipeline/recorder.js';
import { transientDecodingOf } from '../../domain/body/message.js';
import { reportFacts, type ReportFacts } from '../../analysis/fleet/signature.js';
import type { Filter } from '../../analysis/filter/parse.js';
import { evaluateFilter } from '../../analysis/filter/evaluate.js';
import { feedInputs, openInputs } from './open-inputs.js';
import { recorderTarget } from './chunk-target.js';
import { folderTime, savedCabFile } from './report-folder.js';
import { WerSniffError } from '../../errors.js';
import { ConversationChecker } from '../../analysis/check/conversation.js';

export interface SavedReport {
  /** The folder's path, and its name alone. */
  folder: string;
  name: string;
  /** When the report came (the time its folder name starts with). */
  time: number;
  facts: Omit<ReportFacts, 'key'>;
  /** The answer's status, when response.txt was saved. */
  status?: number;
  cab: 'yes' | 'no' | 'incomplete';
  cabBytes?: number;
  /** The check verdict on the report and its answer (`wer-sniff check` of the folder adds the
   * CAB's own findings): how many findings of each severity. */
  check: { errors: number; warnings: number; notes: number };
}

export interface ListOptions {
  filter?: Filter;
  maxBodyBytes?: number;
  onNotice?(message: string): void;
}

type Verdict = SavedReport['check'];

/** Keeps each connection's first request (with its answer, once it came), and what the checker
 * finds in that report and answer. */
class FirstExchange implements Sink {
  readonly byConn = new Map<number, Exchange>();
  readonly verdicts = new Map<number, Verdict>();
  private readonly checker = new ConversationChecker();
  event(ev: CaptureEvent): void {
    if (ev.type !== 'request' && ev.type !== 'response') return;
    const known = this.byConn.get(ev.connection.id);
    if (known && known !== ev.exchange) return;
    this.byConn.set(ev.connection.id, ev.exchange);
    const v = this.verdicts.get(ev.connection.id) ?? { errors: 0, warnings: 0, notes: 0 };
    this.verdicts.set(ev.connection.id, v);
    for (const r of this.checker.event(ev)) {
      for (const f of r.findings) {
        if (f.severity === 'error') v.errors++;
        else if (f.severity === 'warning') v.warnings++;
        else v.notes++;
      }
    }
  }
  async close(): Promise<void> {}
}

/** The report folders of `dir` (a save-dir, or one report folder) that match `filter`. */
export async function listSavedReports(dir: string, opts: ListOptions = {}): Promise<SavedReport[]> {
  const inputs = openInputs([dir], 2);
  const folders = inputs[0]!.folders;
  if (!folders) throw new WerSniffError('not-a-save-dir', `${dir} is a file, not a --save-dir folder — ls lists report folders; run wer-sniff decode ${dir} for a capture`, 2);
  const first = new FirstExchange();
  const recorder = new Recorder({ sinks: [first], maxBodyBytes: opts.maxBodyBytes, checkBodies: false });
  try {
    await feedInputs(inputs, recorderTarget(recorder), { upload: false, onNotice: opts.onNotice });
  } finally {
    await recorder.close();
  }
  const rows: SavedReport[] = [];
  folders.forEach((folder, i) => {
    const ex = first.byConn.get(i + 1);
    if (opts.filter && (!ex || evaluateFilter(opts.filter, { connection: ex.connection, exchange: ex, final: true }) !== true)) return;
    rows.push(savedRow(folder, ex, first.verdicts.get(i + 1) ?? { errors: 0, warnings: 0, notes: 0 }));
  });
  return rows;
}

function savedRow(folder: string, ex: Exchange | undefined, check: Verdict): SavedReport {
  const report = ex?.request?.body.data ? transientDecodingOf(ex.request).report : undefined;
  let facts: Omit<ReportFacts, 'key'> = {};
  if (report) {
    const { key: _key, ...rest } = reportFacts(report);
    facts = rest;
  }
  const cab = savedCabFile(folder);
  const row: SavedReport = { folder, name: path.basename(folder), time: folderTime(folder), facts, cab: cab ? (cab.complete ? 'yes' : 'incomplete') : 'no', check };
  if (cab) row.cabBytes = cab.size;
  if (ex?.response) row.status = ex.response.head.status;
  return row;
}
