// Whole numbers with thousands separators, as `n.toLocaleString('en-US')` writes them, without
// ICU: the first toLocaleString of a process loads its locale data, a ~30 ms stall on the
// thread that serves sockets when the first minidump summary is shown.

/** 160000 → '160,000'; -1234 → '-1,234'. Numbers that are not safe integers go to ICU. */
export function groupThousands(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.length > 3 ? '' : digits;
  if (digits.length > 3) {
    const head = digits.length % 3 || 3;
    out = digits.slice(0, head);
    for (let i = head; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  }
  return n < 0 ? `-${out}` : out;
}
