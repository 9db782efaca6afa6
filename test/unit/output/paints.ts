// Paints for output tests, built locally so tests do not depend on chalk.
import type { Brush, Paint } from '../../../src/render/paint.js';

const id: Brush = (s) => s;

export const plain: Paint = {
  enabled: false, dim: id, bold: id, tag: id, key: id, value: id, ok: id, warn: id, err: id, accent: id, escape: id,
};

/** Like plain, but escapes are wrapped in ⟦…⟧ so tests can see what was painted. */
export const marked: Paint = { ...plain, enabled: true, escape: (s) => `⟦${s}⟧` };
