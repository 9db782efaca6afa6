// The minidump reader's public face; the decoders live in ./minidump/ (one file per part).
export * from './types.js';
export { parseMinidump } from './index.js';
export { exceptionName } from './exception.js';
export { moduleAt } from './modules.js';
export { PagedBytes, type DumpBytes } from './dump-bytes.js';
