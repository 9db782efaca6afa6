// `wer-sniff decode` on every file of the bad-input corpus (test/fixtures/bad/): exit 3
// (problems found, shown in the output), never a crash (exit 1, a stack trace on stderr), and
// stdout is plain text without raw control characters. One file also through --json.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/paths.js';

const DIR = path.join(ROOT, 'test', 'fixtures', 'bad');
const cases: { file: string; problems: { code: string }[] }[] = JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8'));

describe('decode the bad-input corpus with the CLI', () => {
  it('each file: exit 3, its problem codes in the output, nothing on stderr, no raw control characters', () => {
    for (const c of cases) {
      const r = runCli(['decode', '-v', '--color', 'never', path.join(DIR, c.file)]);
      expect({ file: c.file, code: r.code, stderr: r.stderr }).toEqual({ file: c.file, code: 3, stderr: '' });
      const out = r.stdout.toString('utf8');
      for (const p of c.problems) expect(out, c.file).toContain(`problem ${p.code} `);
      expect(out, c.file).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    }
  }, 180_000);

  it('--json and --color always: the same problems as events, colour only as SGR', () => {
    const file = path.join(DIR, 'utf16-osc-in-attribute.http');
    const json = runCli(['decode', '--json', file]);
    expect(json.code).toBe(3);
    const events = json.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as { type: string; code?: string });
    expect(events.filter((e) => e.type === 'problem').map((e) => e.code)).toEqual(['control-characters']);
    const colour = runCli(['decode', '--color', 'always', file]);
    expect(colour.code).toBe(3);
    const text = colour.stdout.toString();
    expect(text).toMatch(/\x1b\[\d+m/);
    expect(text.replace(/\x1b\[[0-9;]*m/g, '')).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expect(text.replace(/\x1b\[[0-9;]*m/g, '')).toContain('PC\\x1b]0;pwned\\x07-01');
  });
});
