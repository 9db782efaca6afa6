// JSON for the page with every string escaped for display: controls, bidi overrides and lone
// surrogates become visible escapes (`\u202e`), as in the terminal (util/escape.ts). One place,
// so no field can be forgotten.
import { escapeControl } from '../util/escape.js';

export function safeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? escapeControl(v) : v));
}
