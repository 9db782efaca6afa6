// The README's findings table is the rule table: same ids, severities and sections.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { RULES } from '../../../src/analysis/check/rules.js';
import { ROOT } from '../../helpers/paths.js';

it('README lists every rule with its severity and section', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| `([a-z0-9-]+)` \| (error|warning|note) \| (§[\d.]+) \|/gm)].map((m) => [m[1], m[2], m[3]]);
  expect(rows).toEqual(Object.entries(RULES).map(([id, r]) => [id, r.severity, r.section]));
});
