// The kinds of report `simulate` can send, and the --kind parser (kept apart from the report
// builders so the CLI can parse flags without loading them).
import { InvalidArgumentError } from 'commander';

export const KINDS = ['appcrash', 'hang', 'bluescreen', 'generic'] as const;
export type Kind = (typeof KINDS)[number];

export function parseKinds(value: string): Kind[] {
  if (value === 'all') return [...KINDS];
  const kinds = value.split(',').map((k) => k.trim());
  for (const k of kinds) if (!(KINDS as readonly string[]).includes(k)) throw new InvalidArgumentError(`expected ${KINDS.join(', ')} or all (comma-separated)`);
  return kinds as Kind[];
}
