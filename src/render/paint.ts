// Colour is chosen once, at the edge: formatters take a Paint and never import chalk, so the
// same code makes plain text for pipes and coloured text for terminals.
import { Chalk } from 'chalk';

export type Brush = (s: string) => string;

export interface Paint {
  enabled: boolean;
  dim: Brush;
  bold: Brush;
  /** XML element names, HTTP methods. */
  tag: Brush;
  /** XML attribute names, header names, keys. */
  key: Brush;
  /** Attribute values, header values. */
  value: Brush;
  /** Success (2xx, "ok"). */
  ok: Brush;
  /** Something worth a look (4xx, flagged). */
  warn: Brush;
  /** Problems, 5xx. */
  err: Brush;
  /** Headlines: connection ids, report titles. */
  accent: Brush;
  /** Escaped control characters and other substitutions. */
  escape: Brush;
}

const id: Brush = (s) => s;

export const plainPaint: Paint = {
  enabled: false,
  dim: id, bold: id, tag: id, key: id, value: id, ok: id, warn: id, err: id, accent: id, escape: id,
};

export function createPaint(enabled: boolean): Paint {
  if (!enabled) return plainPaint;
  const c = new Chalk({ level: 1 });
  return {
    enabled: true,
    dim: (s) => c.dim(s),
    bold: (s) => c.bold(s),
    tag: (s) => c.cyan(s),
    key: (s) => c.yellow(s),
    value: (s) => c.green(s),
    ok: (s) => c.green(s),
    warn: (s) => c.yellow(s),
    err: (s) => c.red(s),
    accent: (s) => c.bold.magenta(s),
    escape: (s) => c.inverse(s),
  };
}
