// `wer-sniff decode` on every file of the bad-input corpus (test/fixtures/bad/): exit 3
// (problems found, shown in the output), never a crash (exit 1, a stack trace on stderr), and
// stdout is plain text without raw control characters. One file also through --json.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/paths.js';
import { ndjson } from '../helpers/ndjson.js';

const DIR = path.join(ROOT, 'test', 'fixtures', 'bad');
const cases: { file: string; problems: { code: string }[] }[] = JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8'));

describe('decode the bad-input corpus with the CLI', () => {
  it('each file: exit 3, its problem codes in the output, nothing on stderr, no raw control characters (all in one run)', () => {
    // One process for the whole corpus: each file is its own connection, shown in order, each
    // under its own "── file" heading.
    const r = runCli(['decode', '-v', '--color', 'never', ...cases.map((c) => path.join(DIR, c.file))]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 3, stderr: '' });
    const out = r.stdout.toString('utf8');
    expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    const json = ndjson(runCli(['decode', '--json', ...cases.map((c) => path.join(DIR, c.file))]).stdout);
    cases.forEach((c, i) => {
      const mine = json.filter((e) => e.conn === i + 1);
      expect(mine.length, c.file).toBeGreaterThan(0);
      const codes = mine.filter((e) => e.type === 'problem').map((e) => e.code);
      for (const p of c.problems) expect(codes, c.file).toContain(p.code);
    });
    for (const c of cases) for (const p of c.problems) expect(out, c.file).toContain(`problem ${p.code} `);
  }, 180_000);

  it('--json and --color always: the same problems as events, colour only as SGR', () => {
    const file = path.join(DIR, 'utf16-osc-in-attribute.http');
    const json = runCli(['decode', '--json', file]);
    expect(json.code).toBe(3);
    const events = ndjson(json.stdout);
    expect(events.filter((e) => e.type === 'problem').map((e) => e.code)).toEqual(['control-characters']);
    const colour = runCli(['decode', '--color', 'always', file]);
    expect(colour.code).toBe(3);
    const text = colour.stdout.toString();
    expect(text).toMatch(/\x1b\[\d+m/);
    expect(text.replace(/\x1b\[[0-9;]*m/g, '')).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expect(text.replace(/\x1b\[[0-9;]*m/g, '')).toContain('PC\\x1b]0;pwned\\x07-01');
  });
});
