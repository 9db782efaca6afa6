// The `diff` action: loads both sides (capture file, report folder, file#N), compares the
// conversations pairwise in order, and prints them side by side or as JSON.
// Exit 0 equal, 1 different, 2 unreadable input.
import { loadConversations } from '../sources/files/load-conversations.js';
import { conversationFields } from '../analysis/diff/fields.js';
import { diffFields, isEqual, type DiffRow } from '../analysis/diff/compare.js';
import type { Conversation } from '../analysis/diff/conversation.js';
import { formatDiffRows, formatDiffVerdict } from '../render/format-diff.js';
import { tcpFilterOf, paintFor, type ColorChoice } from './options.js';
import { escapeControl } from '../util/escape.js';

export interface DiffFlags {
  all?: boolean;
  ignore: string[];
  json?: boolean;
  color?: ColorChoice;
  maxBodyBytes: number;
  port?: number;
  allPorts?: boolean;
}

interface Pair {
  a?: Conversation;
  b?: Conversation;
  rows: DiffRow[];
}

export function pairConversations(as: Conversation[], bs: Conversation[], ignore: readonly string[]): Pair[] {
  const pairs: Pair[] = [];
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const a = as[i];
    const b = bs[i];
    const rows = a && b ? diffFields(conversationFields(a), conversationFields(b), ignore) : [];
    pairs.push({ a, b, rows });
  }
  return pairs;
}

export async function runDiff(specA: string, specB: string, flags: DiffFlags, out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const load = { maxBodyBytes: flags.maxBodyBytes, filter: tcpFilterOf(flags), onNotice: (m: string) => process.stderr.write(`wer-sniff: ${escapeControl(m)}\n`) };
  const [as, bs] = [await loadConversations(specA, load), await loadConversations(specB, load)];
  const pairs = pairConversations(as, bs, flags.ignore);
  const equal = pairs.every((p) => p.a && p.b && isEqual(p.rows));
  let text = '';
  if (flags.json) {
    text = JSON.stringify({
      a: specA, b: specB, equal, ignore: flags.ignore,
      pairs: pairs.map((p) => ({
        a: p.a?.label ?? null, b: p.b?.label ?? null, equal: Boolean(p.a && p.b && isEqual(p.rows)),
        fields: p.rows.filter((r) => flags.all || r.status !== 'same'),
      })),
    }) + '\n';
  } else {
    const paint = paintFor(flags.color, out);
    const width = out.isTTY && out.columns ? out.columns : 120;
    for (const p of pairs) {
      if (!p.a || !p.b) {
        const only = (p.a ?? p.b)!;
        text += `${paint.err(`only in ${p.a ? 'a' : 'b'}:`)} ${only.label}\n\n`;
        continue;
      }
      text += formatDiffRows(p.rows, [p.a.label, p.b.label], paint, { width, all: Boolean(flags.all) }).join('\n') + '\n';
      text += formatDiffVerdict(p.rows, flags.ignore, paint) + '\n\n';
    }
    text = text.replace(/\n\n$/, '\n');
  }
  await new Promise<void>((resolve) => out.write(text, () => resolve()));
  return equal ? 0 : 1;
}
