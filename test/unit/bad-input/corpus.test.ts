// The bad-input corpus (test/fixtures/bad/, index.json; made by make-corpus.mjs): each named
// hostile input goes through the whole pipeline — Recorder → framer → body views → human view
// (colour on and off) and NDJSON — offline (like `decode`) and live (like `listen`). Each must
// give its expected problem (code and message), keep every byte, never let a raw control
// character reach the terminal, never raise inside a decoder, and finish in bounded time with
// bounded output. test/integration/bad-input-cli.test.ts runs the same files through the CLI.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../../src/tools/fuzz/targets/pipeline.js';
import { ROOT } from '../../helpers/paths.js';
import { folderName } from '../../../src/sinks/save-dir/folder-name.js';
import { decodedOf } from '../../../src/domain/body/message.js';
import { safeExtractPath } from '../../../src/domain/cab/cab-extract.js';
import type { Request } from '../../../src/model.js';
import { ndjson } from '../../helpers/ndjson.js';
import { cpuMs } from '../../helpers/cpu-time.js';

const DIR = path.join(ROOT, 'test', 'fixtures', 'bad');
/** `bothDirections`: a request and its answer in one file, which only offline decode can split. */
interface Case { file: string; about: string; problems: { code: string; message: string }[]; bothDirections?: boolean }
const cases: Case[] = JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8'));
const read = (file: string): Buffer => fs.readFileSync(path.join(DIR, file));

describe('bad-input corpus', () => {
  it('covers the hardening list and every file has an entry', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const files = fs.readdirSync(DIR).filter((f) => !/\.(json|mjs|md)$/.test(f)).sort();
    expect(cases.map((c) => c.file).sort()).toEqual(files);
  });

  for (const c of cases) {
    it(`${c.file}: ${c.about}`, () => {
      const input = read(c.file);
      for (const layout of ['offline', 'live'] as const) {
        const t0 = cpuMs();
        // runPipeline itself asserts: bytes kept exactly, no decoder-error, human lines safe
        // for a terminal with colour on and off, NDJSON lines parse
        const r = runPipeline(input, layout);
        const ms = cpuMs() - t0;
        for (const want of layout === 'live' && c.bothDirections ? [] : c.problems) {
          const got = r.problems.filter((p) => p.code === want.code);
          expect(got.map((p) => p.message).join('\n'), `${layout}: ${want.code}`).toContain(want.message);
        }
        // NDJSON carries the same problems
        const jsonCodes = ndjson(r.json.join('\n')).filter((e) => e.type === 'problem').map((e) => e.code);
        expect(jsonCodes).toEqual(r.problems.map((p) => p.code));
        expect(ms, `${layout} took ${Math.round(ms)} ms`).toBeLessThan(5000);
        // no amplification: the human view is at most ~2 copies of the input plus a margin
        expect(r.human.length).toBeLessThan(2.2 * input.length + 64 * 1024);
      }
    }, 30_000);
  }

  it('billion laughs: the entities are not expanded, quickly', () => {
    const input = read('xml-billion-laughs.http');
    const t0 = cpuMs();
    const r = runPipeline(input, 'offline');
    expect(cpuMs() - t0).toBeLessThan(2000);
    expect(r.human).not.toContain('haha');
    expect(r.human.length).toBeLessThan(20_000);
    expect(r.human).toContain('&i;'); // the reference is shown as written
  });

  const escapes: [file: string, visible: string][] = [
    ['header-osc-title.http', '\\x1b]0;pwned\\x07'],
    ['header-csi-clear.http', '\\x1b[2J\\x1b[H'],
    ['header-bidi.http', 'report\u00e2\\u0080\u00aetxt.exe'],
    ['utf16-osc-in-attribute.http', 'PC\\x1b]0;pwned\\x07-01'],
    ['utf16-csi-in-attribute.http', 'crash\\x1b[2J\\x1b[Hme'],
    ['utf16-c1-csi-in-attribute.http', 'SIM\\\\u009b2Jtester'],
    ['utf16-bidi-in-attribute.http', 'invoice\\u202efdp.exe'],
  ];
  for (const [file, visible] of escapes) {
    it(`${file}: the human view shows the sequence as visible text, colour on and off`, () => {
      const r = runPipeline(read(file), 'offline');
      expect(r.human).toContain(visible);
      // with colour the escape is painted (inverse), but its text is the same
      expect(r.humanColour.replace(/\x1b\[[0-9;]*m/g, '')).toContain(visible);
      expect(r.humanColour).toMatch(/\x1b\[7m/);
      for (const out of [r.human, r.humanColour.replace(/\x1b\[[0-9;]*m/g, '')]) {
        expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
      }
    });
  }

  it('machine-name-traversal.http: the --save-dir folder name stays one safe folder', () => {
    const r = runPipeline(read('machine-name-traversal.http'), 'offline');
    const ev = r.events.find((e) => e.type === 'request')!;
    const report = decodedOf((ev as { exchange: { request: Request } }).exchange.request).report!;
    expect(report.machine?.name).toBe('..\\..\\..\\Windows\\System32');
    const name = folderName(Date.UTC(2024, 4, 14), [report.machine?.name, report.application?.name, report.event?.eventType], 1);
    expect(name).toBe('20240514T000000Z_Windows-System32_etc-passwd_APPCRASH_1');
    expect(name).not.toMatch(/[\\/]|\.\./);
  });

  it('cab-name-traversal.http: every CAB name extracts inside the target folder', () => {
    const r = runPipeline(read('cab-name-traversal.http'), 'offline');
    const ev = r.events.find((e) => e.type === 'request')!;
    const cab = decodedOf((ev as { exchange: { request: Request } }).exchange.request).cab!;
    expect(cab.cab.files.map((f) => safeExtractPath(f.name))).toEqual(['Windows/System32/evil.dll', 'autoexec.bat']);
  });
});
