// Hostile reports in the web inspector, in a real browser: machine name, app name, PARAMETER
// values, header values, CAB file names and a CAB text file carry script payloads (<img
// onerror>, <script>, javascript: URLs, </textarea>, bidi overrides, NULs inside tags, in
// UTF-16 like Windows sends them). Nothing may run or even become an element: no console
// error, no page error, no CSP violation, no global set by a payload, no <img>/<script>/<svg>
// made from them — and each payload is on the page as text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { cliStarter } from '../helpers/cli.js';
import { peer, skipNote } from '../helpers/peers.js';
import { launchBrowser, waitForUrl, watchForScript } from '../helpers/browser.js';
import { exchange } from '../helpers/net.js';
import { baseSpec } from '../helpers/crafted.js';
import { encodeUtf16, writeReportXml } from '../../src/domain/report/report-writer.js';
import { writeCab } from '../../src/domain/cab/cab-writer.js';

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

const hit = (n: number) => `window.__xss=${n}`;
const PAYLOADS = {
  machine: `<img src=x onerror="${hit(1)}">WKS-EVIL`,
  app: `<script>${hit(2)}</script>evil.exe`,
  param1: `javascript:${hit(3)}`,
  param2: `</textarea><svg onload="${hit(4)}">`,
  param3: `\u202e<img src=x onerror=${hit(5)}>exe.txt`,
  param4: `<img\u0000 src=x onerror=${hit(6)}>`,
  header: `<img src=x onerror=${hit(7)}>`,
  cabName: `<img src=x onerror=${hit(8)}>.txt`,
  cabName2: `<script>${hit(9)}<\\script>.log`,
  text: `</textarea></pre><script>${hit(10)}</script>`,
};

function hostileReport(host: string, machine = PAYLOADS.machine, edit = (x: string) => x): Buffer {
  const spec = baseSpec({
    machine,
    app: { appname: PAYLOADS.app, apppath: `C:\\${PAYLOADS.app}` },
    params: [['Application Name', PAYLOADS.app], ['Application Version', PAYLOADS.param1], ['Application Timestamp', PAYLOADS.param2],
      ['Fault Module Name', PAYLOADS.param3], ['Exception Code', 'c0000005']],
  });
  const body = encodeUtf16(edit(writeReportXml(spec)));
  const head = `POST /stage2.htm HTTP/1.1\r\nUser-Agent: MSDW\r\nHost: ${host}\r\nX-Note: ${PAYLOADS.header}\r\nContent-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

describe('hostile input in the web inspector' + skipNote('chromium'), () => {
  it.skipIf(!has)('no payload runs or becomes an element; each is visible as text', async () => {
    const cli = await start(['listen', '-p', '0', '-q', '--web', '127.0.0.1:0']);
    const url = await waitForUrl(cli.stderr);
    const host = `127.0.0.1:${cli.port}`;
    const level1 = await exchange(cli.port, hostileReport(host));
    const dump = /DumpFile=(\S+)/.exec(level1.reply.toString('latin1'))?.[1];
    expect(dump, level1.reply.toString('latin1')).toBeDefined();
    const cab = writeCab([
      { name: PAYLOADS.cabName, data: Buffer.from(`hello ${PAYLOADS.text}\r\n`) },
      { name: PAYLOADS.cabName2, data: encodeUtf16(`${PAYLOADS.text}\r\n\u202eevil\r\n`) },
    ], { compression: 'mszip' });
    const put = Buffer.concat([Buffer.from(`PUT ${dump} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${cab.length}\r\n\r\n`, 'latin1'), cab]);
    await exchange(cli.port, put);
    // A NUL inside a tag makes the XML ill-formed: the report is shown as text instead.
    await exchange(cli.port, hostileReport(host, PAYLOADS.param4, (x) => x.replace('</WERREPORT>', `<scr\u0000ipt>${hit(11)}</scr\u0000ipt><img\u0000src=x onerror=${hit(12)}></WERREPORT>`)));

    const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    const watch = watchForScript(page);
    await page.goto(url);
    await page.waitForFunction(() => document.querySelectorAll('.row.data').length === 3);
    const listText = await page.locator('.list').innerText();
    expect(listText).toContain(PAYLOADS.machine);

    const shown: string[] = [];
    for (const n of [0, 1, 2]) {
      await page.locator('.row.data').nth(n).click();
      await page.waitForFunction((id) => document.querySelector('.detail')?.getAttribute('data-id') === id, String(n + 1));
      // Every body view of the report: pretty, raw and hex.
      for (const b of await page.locator('.tabs button').all()) {
        await b.click();
        shown.push(await page.locator('.detail').innerText());
      }
      for (const d of await page.locator('details').all()) await d.evaluate((el) => ((el as HTMLDetailsElement).open = true));
      shown.push(await page.locator('.detail').innerText());
    }
    const all = shown.join('\n');
    // Visible as text (controls and bidi overrides as their escapes, like the terminal).
    expect(all).toContain(PAYLOADS.machine);
    expect(all).toContain(PAYLOADS.app);
    expect(all).toContain(PAYLOADS.param1);
    expect(all).toContain(PAYLOADS.param2);
    expect(all).toContain('\\u202e<img src=x onerror=window.__xss=5>exe.txt');
    expect(all).toContain(PAYLOADS.header);
    expect(all).toContain(PAYLOADS.cabName);
    expect(all).toContain(PAYLOADS.text);
    // NULs inside tags make the UTF-16 body binary to the decoder: it is shown as a hexdump.
    // (The upload's CAB is binary too; its row comes before or after this one, as its summary
    // is ready before or after the third report arrives.)
    const nul = shown.find((t) => /· binary ·/.test(t) && !t.startsWith('Upload'));
    expect(nul).toMatch(/^00000000 {2}ff fe 3c 00 3f 00/m);
    expect(all).not.toContain('\u202e');
    expect(all).not.toContain('\u0000');

    const state = await page.evaluate(() => ({
      xss: (window as unknown as { __xss?: number }).__xss,
      csp: (window as unknown as { __csp?: string[] }).__csp ?? [],
      elements: document.querySelectorAll('img, iframe, object, embed, textarea, svg:not(.spark), body script:not([src="/app.js"])').length,
      scripts: [...document.scripts].map((s) => s.getAttribute('src')),
      links: [...document.querySelectorAll('a')].map((a) => a.getAttribute('href') ?? '').filter((h) => !h.startsWith('/api/')),
    }));
    expect(state).toEqual({ xss: undefined, csp: [], elements: 0, scripts: ['/app.js'], links: [] });
    expect(watch.events).toEqual([]);
    await page.close();
  }, BROWSER_TEST_MS);
});
