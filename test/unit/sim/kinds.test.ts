// simulate's reports and CABs agree with each other the way Windows' do: every file a report
// lists in FILES is in the CAB it uploads (the check's files-not-in-cab rule), and the CAB
// parses cleanly.
import { describe, expect, test } from 'vitest';
import { makeCab, makeReport } from '../../../src/tools/sim/kinds.js';
import { KINDS } from '../../../src/tools/sim/kind-names.js';
import { parseCabView } from '../../../src/domain/cab/cab-view.js';

describe('simulate kinds', () => {
  for (const kind of KINDS) {
    test(`${kind}: the CAB holds every file the report lists`, () => {
      const report = makeReport(kind, Date.UTC(2026, 10, 25), 1);
      const view = parseCabView(makeCab(kind, report, Date.UTC(2026, 10, 25)));
      expect(view.cab.problems).toEqual([]);
      const names = view.entries.map((e) => e.name);
      for (const [name] of report.files ?? []) expect(names).toContain(name);
      expect(view.entries.every((e) => e.kind !== 'unreadable')).toBe(true);
    });
  }
});
