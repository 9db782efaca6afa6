// Glue between the fleet views and the long-running commands: the bucket table's FleetStats
// for a run's flags and outputs, and the saved folder of an exchange for the one-line view.
import path from 'node:path';
import type { Exchange } from '../model.js';
import { FleetStats } from './fleet-stats.js';
import { paintFor, type ColorChoice } from './options.js';
import type { Outputs } from './outputs.js';
import type { ProgressLine } from '../sinks/progress.js';

export function fleetStats(flags: { stats?: number; color?: ColorChoice }, outputs: Outputs, progress?: ProgressLine): FleetStats {
  return new FleetStats({
    interval: flags.stats,
    stderr: process.stderr,
    paint: paintFor(flags.color, process.stderr),
    json: outputs.json,
    redact: outputs.names && ((t) => outputs.names!.redact(t)),
    aside: progress && ((w) => progress.aside(w)),
  });
}

/** The report folder an exchange went to under --save-dir, shown relative to the current folder. */
export function savedFolder(store: { folderOf(ex: Exchange): string | undefined } | undefined, ex: Exchange): string | undefined {
  const dir = store?.folderOf(ex);
  if (!dir) return undefined;
  const rel = path.relative(process.cwd(), dir);
  return (rel && !rel.startsWith('..') ? rel : dir) + path.sep;
}
