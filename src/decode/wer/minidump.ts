// The minidump reader's public face; the decoders live in ./minidump/ (one file per part).
export * from './minidump/types.js';
export { parseMinidump } from './minidump/index.js';
export { exceptionName } from './minidump/exception.js';
export { moduleAt } from './minidump/modules.js';
