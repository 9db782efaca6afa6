// The findings table in docs/check.md is the rule table: same ids, severities and sections.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { RULES } from '../../../src/analysis/check/rules.js';
import { ROOT } from '../../helpers/paths.js';

it('docs/check.md lists every rule with its severity and section', () => {
  const page = readFileSync(path.join(ROOT, 'docs', 'check.md'), 'utf8');
  const rows = [...page.matchAll(/^\| `([a-z0-9-]+)` \| (error|warning|note) \| (§[\d.]+) \|/gm)].map((m) => [m[1], m[2], m[3]]);
  expect(rows).toEqual(Object.entries(RULES).map(([id, r]) => [id, r.severity, r.section]));
});
