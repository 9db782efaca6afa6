// Headless Chromium from Debian (apt-get install chromium), driven by playwright-core with
// executablePath: nothing is downloaded at test time. Tests that need it use
// it.skipIf(!peer('chromium')) so a machine without it skips them visibly (CI installs it).
import { chromium, type Browser, type Page } from 'playwright-core';
import { until } from './wait.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? 'chromium';

export async function launchBrowser(): Promise<Browser> {
  const { execFileSync } = await import('node:child_process');
  const exe = CHROMIUM.includes('/') ? CHROMIUM : execFileSync('sh', ['-c', `command -v ${CHROMIUM}`]).toString().trim();
  return chromium.launch({ executablePath: exe, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** The inspector URL a wer-sniff command printed on stderr. */
export function webUrlOf(stderr: string): string | undefined {
  return /web inspector: (http:\/\/\S+)/.exec(stderr)?.[1];
}

export async function waitForUrl(stderr: () => string): Promise<string> {
  await until('the "web inspector:" line', () => webUrlOf(stderr()) !== undefined, 10_000);
  return webUrlOf(stderr())!;
}

/** Everything that would show script ran or was attempted: console errors, page errors, CSP
 * violations, and the global the hostile payloads set. */
export function watchForScript(page: Page): { events: string[] } {
  const events: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') events.push(`console.error: ${m.text()}`); });
  page.on('pageerror', (e) => events.push(`page error: ${e.message}`));
  void page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __csp: string[] }).__csp ??= [];
      (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return { events };
}
