// Finds the names `--redact` must hide in what wer-sniff decoded from one message: the WER
// report's machine and user (with their domains), names in CAB metadata, UNC
// hosts and profile folders in any path of the report, the level-1 answer, CAB text files and
// minidump module lists. Everything found is learned into a Pseudonyms table; the outputs then
// replace it wherever it appears. Pure: decoded objects in, nothing out.
import type { Header } from '../../model.js';
import type { WerReport } from '../../domain/report/report.js';
import type { CabView } from '../../domain/cab/cab-view.js';
import type { Pseudonyms } from './pseudonyms.js';

/** Strings visited per object at most: a hostile report cannot make collecting slow. */
const MAX_STRINGS = 100_000;
const IP_LIKE = /^(\d{1,3}(\.\d{1,3}){3}|\[?[0-9a-f:]*:[0-9a-f:.]*\]?)$/i;
/** `\\host\share…` at the start of a string or after a space, quote, `=`, `(`, `,` or `;`. */
const UNC_HOST = /(?:^|[\s"'=(,;])\\\\([^\\/\s"'<>|?*:]+)\\/g;
/** Keys of CAB metadata sections whose values name a machine, a user or a domain. */
const META_KIND: [RegExp, 'machine' | 'user' | 'domain'][] = [
  [/domain/i, 'domain'],
  [/^(mid|machine.*|computer.*|host.*|device.*name)$/i, 'machine'],
  [/^(user.*|account.*|owner.*|.*sid)$/i, 'user'],
];

/** A host name: first label → machine, the rest (and each parent with two labels or more) →
 * domain. Addresses are left alone. */
export function learnHost(p: Pseudonyms, host: string): void {
  const h = host.trim().replace(/\.$/, '');
  if (!h || IP_LIKE.test(h) || /^[.\d]+$/.test(h)) return;
  const labels = h.split('.');
  p.learn('machine', labels[0]!);
  for (let i = 1; i < labels.length - 1; i++) p.learn('domain', labels.slice(i).join('.'));
}

/** `DOMAIN\user`, `user@dns.domain` or `user`. */
export function learnAccount(p: Pseudonyms, account: string): void {
  const a = account.trim();
  const slash = a.lastIndexOf('\\');
  const at = a.lastIndexOf('@');
  if (slash > 0) {
    learnDomainOrMachine(p, a.slice(0, slash));
    p.learn('user', a.slice(slash + 1));
  } else if (at > 0) {
    p.learn('user', a.slice(0, at));
    learnHost(p, `x.${a.slice(at + 1)}`);
  } else p.learn('user', a);
}

/** A NetBIOS domain, or the machine itself for local accounts (already learned as a machine). */
function learnDomainOrMachine(p: Pseudonyms, name: string): void {
  if (name.includes('.')) learnHost(p, `x.${name}`);
  else p.learn('domain', name);
}

export function learnFromReport(p: Pseudonyms, report: WerReport): void {
  if (report.machine?.name) learnHost(p, report.machine.name);
  if (report.user) learnAccount(p, report.user);
  learnFromStrings(p, report);
}

/** Header values: UNC hosts and profile paths only. The Host header names the server, not a
 * reporting machine: learning it would turn `wer.corp.example.test` into a name and every
 * "WER" in the view into `machine-1` (names come from the report's fields). */
export function learnFromHeaders(p: Pseudonyms, headers: Header[]): void {
  for (const [, value] of headers) learnFromStrings(p, value);
}

export function learnFromCab(p: Pseudonyms, view: CabView): void {
  for (const e of view.entries) {
    if (!e.metadata) continue;
    const pairs = [...Object.entries(e.metadata.os), ...e.metadata.dynamic.map((d) => [d.name, d.value] as const),
      ...Object.values(e.metadata.sections).flat()];
    for (const [key, value] of pairs) {
      const kind = META_KIND.find(([re]) => re.test(key))?.[1];
      if (kind === 'machine') learnHost(p, value);
      else if (kind === 'user') learnAccount(p, value);
      else if (kind === 'domain') learnDomainOrMachine(p, value);
    }
  }
  learnFromStrings(p, view.entries);
}

/** Every string inside `value` (objects, arrays, nested): UNC hosts and profile folders. */
export function learnFromStrings(p: Pseudonyms, value: unknown): void {
  let budget = MAX_STRINGS;
  const stack: unknown[] = [value];
  while (stack.length && budget-- > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\\\\')) for (const m of v.matchAll(UNC_HOST)) learnHost(p, m[1]!);
      if (/users|settings|home/i.test(v)) p.learnPaths(v);
    } else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v && typeof v === 'object' && !Buffer.isBuffer(v)) for (const x of Object.values(v)) stack.push(x);
  }
}
