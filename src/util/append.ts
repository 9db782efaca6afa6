// Appends one list to another with a loop. Spreading the lines into `out.push` passes every
// line as a function argument, and a hostile input that makes ~100,000 lines (a report with
// that many parameters, a tag with that many attributes) overflows the call stack there.
export function append<T>(out: T[], items: readonly T[]): T[] {
  for (let i = 0; i < items.length; i++) out.push(items[i]!);
  return out;
}

/** Largest of `values` and `floor`, without spreading them into arguments. */
export function maxOf(values: readonly number[], floor = -Infinity): number {
  let m = floor;
  for (const v of values) if (v > m) m = v;
  return m;
}
