// Fuzz target: the minidump reader (src/domain/minidump/minidump.ts) and its formatter, and the CAB
// view's per-file summary that chooses it. Invariants: nothing throws, every reported stream
// and module was inside the buffer, the formatted summary is terminal-safe, and the summary
// stays small whatever the dump claims (MINIDUMP_CAPS).
import { MINIDUMP_CAPS, parseMinidump } from '../../../domain/minidump/minidump.js';
import { summariseFile } from '../../../domain/cab/cab-view.js';
import { formatMinidump } from '../../../render/format-minidump.js';
import { createPaint } from '../../../render/paint.js';
import { BYTE_MUTATORS } from '../mutate.js';
import { mutateMinidump } from '../mutate-formats.js';
import { mutateMinidumpCounts, mutateMinidumpSharedNames } from '../mutate-minidump.js';
import { checkLines, fail } from '../check.js';
import { hasMagic, type FuzzTarget } from '../target.js';

/** Caps × the largest entries: 1,000 modules with their share of the 256 Ki-character name
 * budget (escaped up to 6 bytes per character), 256 streams, 65 problems. */
const MAX_SUMMARY_JSON = 4 * 1024 * 1024;
const paints = [createPaint(false), createPaint(true)] as const;

export const minidumpTarget: FuzzTarget = {
  name: 'minidump',
  about: 'minidump reader (header, directory, system info, exception, modules, threads, memory, stack walk) and its formatter',
  seeds: (files) => files.filter((f) => f.bytes.subarray(0, 4).toString('latin1') === 'MDMP').map((f) => f.bytes)
    .concat(files.filter(hasMagic('MDMP')).map((f) => f.bytes.subarray(f.bytes.indexOf('MDMP', 0, 'latin1')))),
  mutators: [...BYTE_MUTATORS, mutateMinidump, mutateMinidump, mutateMinidump, mutateMinidump,
    mutateMinidumpSharedNames, mutateMinidumpSharedNames, mutateMinidumpCounts, mutateMinidumpCounts],
  run(input) {
    const sum = parseMinidump(input);
    if (sum.header && sum.streams.length > sum.header.streams) fail(`${sum.streams.length} streams listed, header says ${sum.header.streams}`);
    const json = JSON.stringify(sum).length;
    if (json > MAX_SUMMARY_JSON) fail(`summary of a ${input.length}-byte dump is ${json} characters of JSON`);
    if (sum.modules.length > MINIDUMP_CAPS.modules) fail(`${sum.modules.length} modules listed`);
    if (sum.problems.length > MINIDUMP_CAPS.problems + 1) fail(`${sum.problems.length} problems listed`);
    if ((sum.stack?.frames.length ?? 0) > MINIDUMP_CAPS.frames) fail(`${sum.stack!.frames.length} frames walked`);
    if ((sum.threads?.length ?? 0) > MINIDUMP_CAPS.threads) fail(`${sum.threads!.length} threads listed`);
    for (const paint of paints) checkLines(formatMinidump(sum, paint), paint.enabled, 'formatted minidump');
    const entry = summariseFile('crash.mdmp', input);
    if (entry.size !== input.length) fail('summary size differs from the input');
  },
};
