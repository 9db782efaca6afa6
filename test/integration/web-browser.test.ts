// The web inspector in a real browser (Debian's chromium through playwright-core): live rows
// from `listen --web` while `simulate` sends, the detail of a report (machine, exception, CAB
// listing; a detail opened before its CAB arrived shows it once there), the same through
// `relay --web` in front of a real listener, the filter box, the diff of two reports, access
// without the token, and a screenshot of the detail page into test-results/ (a CI artefact).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { cliStarter, runCli } from '../helpers/cli.js';
import { peer, skipNote } from '../helpers/peers.js';
import { launchBrowser, waitForUrl, watchForScript } from '../helpers/browser.js';
import { ROOT, readVector } from '../helpers/paths.js';
import { until } from '../helpers/wait.js';

const start = cliStarter();
const has = peer('chromium');
// A browser session of a dozen steps (navigate, simulate, click, type, diff, download) takes
// 10-15 s alone and over 30 s beside other test files on a loaded 2-core machine; the live
// 2-second bound inside the test is unchanged.
const BROWSER_TEST_MS = 120_000;
let browser: Browser | undefined;

beforeAll(async () => {
  if (has) browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

const reportRows = (page: Page) => page.locator('.row.data.kind-report');

describe('web inspector in Chromium' + skipNote('chromium'), () => {
  it.skipIf(!has)('listen --web: three simulated reports appear live within 2 s; a click shows machine, exception and the CAB listing', async () => {
    const cli = await start(['listen', '-p', '0', '-q', '--web', '127.0.0.1:0']);
    const url = await waitForUrl(cli.stderr);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
    const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    const watch = watchForScript(page);
    await page.goto(url);
    // The token left the address bar for a cookie.
    expect(page.url()).not.toContain('token=');
    await page.waitForSelector('.row.head');
    const sim = runCli(['simulate', '--to', `127.0.0.1:${cli.port}`, '--count', '3', '--machines', '3']);
    expect(sim.code, sim.stderr).toBe(0);
    const sent = Date.now();
    await page.waitForFunction(() => document.querySelectorAll('.row.data.kind-report').length === 3, undefined, { timeout: 2000 });
    const waited = Date.now() - sent;
    expect(waited).toBeLessThanOrEqual(2000);

    await reportRows(page).first().click();
    await page.waitForSelector('.detail .cab-files');
    const text = await page.locator('.detail').innerText();
    expect(text).toMatch(/SIM-PC-0\d\.sim\.example\.test/);
    expect(text).toContain('access violation (0xc0000005)');
    for (const name of ['WERInternalMetadata.xml', 'Version.txt', '.mdmp']) expect(await page.locator('.detail .cab-files').innerText()).toContain(name);
    expect(text).toContain('faulty.dll');
    fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, 'test-results', 'web-detail.png'), fullPage: false });

    // Filter: the same language as --filter, evaluated by wer-sniff.
    await page.fill('.filter', 'method=PUT');
    await page.waitForFunction(() => document.querySelectorAll('.row.data').length === 3 && document.querySelectorAll('.row.data.kind-upload').length === 3);
    await page.fill('.filter', 'machine~SIM-PC-02');
    await page.waitForFunction(() => document.querySelectorAll('.row.data.kind-report').length === 1);
    await page.fill('.filter', 'status>>');
    await page.waitForSelector('.filter-error');
    expect(await page.locator('.filter-error').innerText()).toMatch(/column \d+/);
    await page.fill('.filter', '');
    await page.waitForFunction(() => document.querySelectorAll('.row.data').length === 6);

    // Diff of two reports: the machine names differ.
    const checks = page.locator('.row.data.kind-report input[type=checkbox]');
    await checks.nth(0).click();
    await checks.nth(1).click();
    await page.click('.diff-button');
    await page.waitForSelector('.diff table');
    const diff = await page.locator('.diff').innerText();
    expect(diff).toMatch(/changed\s+report\.MACHINEINFO\.machinename/);
    expect(diff).toMatch(/SIM-PC-01/);
    expect(diff).toMatch(/SIM-PC-02/);

    // Sorting by machine, descending, puts SIM-PC-03 first among reports.
    await page.click('.row.head .c-machine');
    await page.click('.row.head .c-machine');
    expect(await page.locator('.row.data .c-machine').first().innerText()).toContain('SIM-PC-03');

    // Downloads: the session pcap and the CAB come back as attachments.
    const dl = await page.request.get(new URL('/api/session.pcap', page.url()).toString());
    expect(dl.status()).toBe(200);
    expect(dl.headers()['content-disposition']).toMatch(/^attachment; filename="wer-sniff-session\.pcap"$/);
    expect((await dl.body()).readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(watch.events).toEqual([]);
    await page.close();
  }, BROWSER_TEST_MS);

  it.skipIf(!has)('a report opened before its CAB arrives shows the CAB once it is there', async () => {
    const cli = await start(['listen', '-p', '0', '-b', '127.0.0.1', '-q', '--web', '127.0.0.1:0']);
    const url = await waitForUrl(cli.stderr);
    const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    const watch = watchForScript(page);
    await page.goto(url);
    await page.waitForSelector('.row.head');
    const client = net.connect({ port: cli.port, host: '127.0.0.1' });
    await once(client, 'connect');
    const replies = (async function* () {
      for await (const chunk of client) yield (chunk as Buffer).toString('latin1');
    })();
    client.write(readVector('level1-appcrash.http'));
    const answer = (await replies.next()).value as string;
    const dump = /DumpFile=(.*)\r\n/.exec(answer)![1]!;
    await page.waitForFunction(() => document.querySelectorAll('.row.data.kind-report').length === 1);
    await reportRows(page).first().click();
    await page.waitForSelector('.detail .findings');
    expect(await page.locator('.detail .cab-files').count()).toBe(0);
    const cab = readVector('sample-report-mszip.cab');
    client.write(Buffer.concat([Buffer.from(`PUT ${dump} HTTP/1.1\r\nHost: x\r\nContent-Length: ${cab.length}\r\n\r\n`, 'latin1'), cab]));
    expect((await replies.next()).value).toMatch(/^HTTP\/1\.1 200/);
    // The open detail follows: nothing is clicked again.
    await page.waitForSelector('.detail .cab-files', { timeout: 10_000 });
    expect(await page.locator('.detail .cab-files').innerText()).toContain('.mdmp');
    client.destroy();
    expect(watch.events).toEqual([]);
    await page.close();
  }, BROWSER_TEST_MS);

  it.skipIf(!has)('relay --web: reports relayed to a real listener appear with its answers; a click shows the report and its CAB', async () => {
    const upstream = await start(['listen', '-p', '0', '-b', '127.0.0.1', '-q']);
    const relay = await start(['relay', '--to', `127.0.0.1:${upstream.port}`, '-p', '0', '-b', '127.0.0.1', '-q', '--web', '127.0.0.1:0']);
    const url = await waitForUrl(relay.stderr);
    const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    const watch = watchForScript(page);
    await page.goto(url);
    await page.waitForSelector('.row.head');
    const sim = runCli(['simulate', '--to', `127.0.0.1:${relay.port}`, '--count', '2', '--machines', '2']);
    expect(sim.code, sim.stderr).toBe(0);
    // Two reports and their two uploads, each with the upstream's 200.
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('.row.data')];
      return rows.length === 4 && rows.every((r) => r.querySelector('.c-status')?.textContent === '200');
    }, undefined, { timeout: 10_000 });
    expect(await page.locator('.row.data.kind-upload').count()).toBe(2);
    await reportRows(page).first().click();
    await page.waitForSelector('.detail .cab-files');
    const text = await page.locator('.detail').innerText();
    expect(text).toMatch(/SIM-PC-0\d\.sim\.example\.test/);
    expect(text).toContain('access violation (0xc0000005)');
    // The upstream's answer, as relayed: its level-1 Key=value lines.
    expect(text).toMatch(/iData=1/);
    expect(await page.locator('.detail .cab-files').innerText()).toContain('.mdmp');
    expect(watch.events).toEqual([]);
    await page.close();
  }, BROWSER_TEST_MS);

  it.skipIf(!has)('without the token the page gets 401, not the inspector', async () => {
    const cli = await start(['listen', '-p', '0', '-q', '--web', '127.0.0.1:0']);
    const url = await waitForUrl(cli.stderr);
    const page = await browser!.newPage();
    const res = await page.goto(url.replace(/\?token=.*/, ''));
    expect(res!.status()).toBe(401);
    expect(await page.locator('body').innerText()).toContain('no valid token');
    const wrong = await page.goto(url.replace(/token=.*/, 'token=not-the-token'));
    expect(wrong!.status()).toBe(401);
    await page.close();
  }, BROWSER_TEST_MS);
});

describe('the page is built', () => {
  it('dist/web/client holds index.html, app.js and app.css, and app.js is small', () => {
    const dir = path.join(ROOT, 'dist', 'web', 'client');
    for (const f of ['index.html', 'app.js', 'app.css']) expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    // Tens of KB, not MBs.
    expect(fs.statSync(path.join(dir, 'app.js')).size).toBeLessThan(100 * 1024);
    const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script>(?!<\/)/);
    expect(html).not.toMatch(/https?:\/\//);
  });
});

void until;
