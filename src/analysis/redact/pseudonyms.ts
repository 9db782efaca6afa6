// Stable pseudonyms for names that identify people and machines (`--redact`): machine names,
// user names, domains. A value is learned once (`learn`), gets `machine-1`, `user-2`, `domain-1`
// (same value, any case → same pseudonym for the whole run), and `redact(text)` replaces every
// occurrence of every learned value in any derived text — also the forms JSON, XML and the
// terminal escaper give it. A user folder in a path (`…\Users\<name>\`, `/home/<name>/`) is
// learned from the text itself, so paths keep their shape and lose the name. Pure: strings in,
// strings out. It does not decide which fields hold names; collect.ts does.
import { escapeControl } from '../../util/escape.js';

export type NameKind = 'machine' | 'user' | 'domain';

/** Accounts and domains every Windows machine has: not personal, and replacing them would
 * mangle paths (`System32`) and descriptions. */
const WELL_KNOWN = new Set([
  'system', 'localsystem', 'local service', 'localservice', 'network service', 'networkservice',
  'nt authority', 'builtin', 'nt service', 'workgroup', 'window manager', 'font driver host',
  'localhost', 'public', 'default', 'default user', 'all users', 'defaultapppool', 'administrator', 'guest',
]);

/** Profile folder names that are not a person. */
const SHARED_PROFILES = new Set(['public', 'default', 'default user', 'all users', 'defaultuser0', 'shared']);

/** `…\Users\<name>`, `…/home/<name>`, `Documents and Settings\<name>`, also JSON-escaped (`\\`). */
const PROFILE_PATH = /(?<=(?:^|[\\/])(?:users|documents and settings|home)[\\/]+)([^\\/:*?"<>|\r\n\t\x1b\x00]+)/giu;

/** A name starts and ends where letters and digits do; an SGR colour code also counts as a
 * boundary (`\x1b[1mjdoe` in the coloured view). A JSON key is never replaced. */
const BEFORE = String.raw`(?<=^|[^\p{L}\p{N}]|\x1b\[[0-9;]*m)`;
const AFTER = String.raw`(?![\p{L}\p{N}])(?!":)`; // not a JSON key: `"user":` stays a key

export const MIN_NAME_LENGTH = 2;

export class Pseudonyms {
  private readonly byValue = new Map<string, string>();
  private readonly counts: Record<NameKind, number> = { machine: 0, user: 0, domain: 0 };
  /** Every spelling to look for (lower-case) → pseudonym. */
  private readonly forms = new Map<string, string>();
  private pattern: RegExp | undefined;

  /** The pseudonym of `value`, learning it as `kind` the first time. Undefined for values that
   * are too short or well known (left as they are). */
  learn(kind: NameKind, value: string): string | undefined {
    const v = value.trim();
    const key = v.toLowerCase();
    if (v.length < MIN_NAME_LENGTH || WELL_KNOWN.has(key) || isPseudonym(key)) return undefined;
    const known = this.byValue.get(key);
    if (known) return known;
    const name = `${kind}-${++this.counts[kind]}`;
    this.byValue.set(key, name);
    for (const form of spellings(v)) if (!this.forms.has(form.toLowerCase())) this.forms.set(form.toLowerCase(), name);
    this.pattern = undefined;
    return name;
  }

  /** Learns the user folder of every profile path in `text` (`C:\Users\<name>\…`). */
  learnPaths(text: string): void {
    for (const m of text.matchAll(PROFILE_PATH)) {
      const name = m[1]!.trim();
      if (!SHARED_PROFILES.has(name.toLowerCase())) this.learn('user', name);
    }
  }

  get size(): number {
    return this.byValue.size;
  }

  /** `text` with every learned name (and every user folder in a path) replaced. */
  redact(text: string): string {
    this.learnPaths(text);
    if (this.forms.size === 0) return text;
    this.pattern ??= new RegExp(
      `${BEFORE}(?:${[...this.forms.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|')})${AFTER}`, 'giu');
    return text.replace(this.pattern, (m) => this.forms.get(m.toLowerCase()) ?? m);
  }
}

function isPseudonym(key: string): boolean {
  return /^(machine|user|domain)-\d+$/.test(key);
}

/** The value as it appears in each output: as is, JSON-escaped, XML-escaped, terminal-escaped. */
function spellings(v: string): Set<string> {
  const json = JSON.stringify(v).slice(1, -1);
  const xml = v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
  return new Set([v, json, xml, escapeControl(v), JSON.stringify(escapeControl(v)).slice(1, -1)]);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
