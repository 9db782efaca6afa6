// Golden output of the human view at each verbosity level on the samples, piped (nothing cut)
// and on an 80-column terminal (run under a pty with `script`: lines cut with …, never wider
// than 80). The goldens live in test/fixtures/golden; a change to the view shows up as a diff.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, hasCommand } from '../helpers/cli.js';
import { BIN, FIXTURES, SAMPLES } from '../helpers/paths.js';
import { displayWidth } from '../../src/render/width.js';

const LEVELS: [string, string[]][] = [['q', ['-q']], ['default', []], ['v', ['-v']], ['vv', ['-vv']], ['vvv', ['-vvv']]];
const INPUTS = ['appcrash.http', 'hang.http', 'bluescreen.http', 'generic.http', 'level1-response.http'].map((f) => path.join('samples', f));
const golden = (name: string) => path.join(FIXTURES, 'golden', name);
const ROOT = path.dirname(SAMPLES);

/** The CLI on a pseudo-terminal of `cols` columns; CRLF back to LF. */
function onTerminal(args: string[], cols: number): string {
  const cmd = [`stty cols ${cols} rows 50`, [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ')].join('; ');
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  return r.stdout.toString().replace(/\r\n/g, '\n');
}

describe('verbosity levels, golden output', () => {
  for (const [name, flags] of LEVELS) {
    it(`decode ${flags.join(' ') || '(default)'}: piped`, async () => {
      const r = spawnSync(process.execPath, [BIN, 'decode', '--color', 'never', ...flags, ...INPUTS], { cwd: ROOT });
      expect(r.status).toBe(0);
      await expect(r.stdout.toString()).toMatchFileSnapshot(golden(`decode.${name}.piped.txt`));
    });

    it.skipIf(!hasCommand('script', '-V'))(`decode ${flags.join(' ') || '(default)'}: 80 columns on a terminal`, async () => {
      const out = onTerminal(['decode', ...flags, ...INPUTS], 80);
      await expect(out).toMatchFileSnapshot(golden(`decode.${name}.tty80.txt`));
      if (name === 'q' || name === 'default') for (const l of out.split('\n')) expect(displayWidth(l), l).toBeLessThanOrEqual(80);
    });
  }

  it('the default view is one line per report; -v adds the summary, -vv headers, -vvv the XML', () => {
    const at = (f: string[]) => runCli(['decode', '--color', 'never', ...f, path.join(SAMPLES, 'appcrash.http')]).stdout.toString();
    const d = at([]);
    expect(d.trim().split('\n')).toHaveLength(1);
    expect(at(['-q'])).toBe('');
    const v = at(['-v']);
    expect(v).toContain('Signature');
    expect(v).not.toContain('User-Agent:');
    expect(v).not.toContain('<?xml');
    const vv = at(['-vv']);
    expect(vv).toContain('User-Agent: MSDW');
    expect(vv).not.toContain('<?xml');
    expect(at(['-vvv'])).toContain('<?xml');
    expect(runCli(['decode', '-q', '-v', path.join(SAMPLES, 'appcrash.http')]).code).toBe(2);
  });
});
