// Every fuzz target, in the order `npm run fuzz` runs them. To add one:
// write targets/<name>.ts exporting a FuzzTarget (see ../target.ts) and add it to this list.
import type { FuzzTarget } from '../target.js';
import { framerTarget } from './framer.js';
import { pipelineTarget } from './pipeline.js';
import { charsetTarget } from './charset.js';
import { xmlTarget } from './xml.js';
import { werReportTarget } from './wer-report.js';
import { cabTarget } from './cab.js';
import { minidumpTarget } from './minidump.js';
import { pcapTarget } from './pcap.js';

export const TARGETS: readonly FuzzTarget[] = [
  framerTarget, pipelineTarget, charsetTarget, xmlTarget, werReportTarget, cabTarget, minidumpTarget, pcapTarget,
];
