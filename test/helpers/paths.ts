// Where test inputs live: the shared protocol vectors beside the repo, and samples/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../..');
export const VECTORS = path.resolve(ROOT, '../shared/protocol/vectors');
export const SAMPLES = path.join(ROOT, 'samples');
export const BIN = path.join(ROOT, 'bin', 'wer-sniff.js');
