// Temporary folders that go away with the tests that made them, whether those passed or failed
// (the global setup fails the run when anything is left in the run's temporary folder).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

const remove = (dir: string) => () => fs.rmSync(dir, { recursive: true, force: true });

/** A fresh folder for one test file, removed with all it holds after the file's last test.
 * Call at the top level of the file. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(remove(dir));
  return dir;
}

/** A fresh folder for the running test, removed when it ends. Call inside the test. */
export function testTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onTestFinished(remove(dir));
  return dir;
}
