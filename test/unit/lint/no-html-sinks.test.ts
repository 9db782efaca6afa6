// The web inspector inserts every string as text: no code in the page (client/) or the server
// that writes it (src/web/) may use an HTML sink. Comments do not count; a test file is not
// scanned. The check is shown to fail on each sink by the last test.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/paths.js';

const SINKS = /\b(innerHTML|outerHTML|insertAdjacentHTML|dangerouslySetInnerHTML|document\s*\.\s*write(?:ln)?|srcdoc|createContextualFragment|DOMParser)\b/;

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (/\.(tsx?|jsx?|html)$/.test(e.name)) out.push(p);
  }
  return out;
}

export function htmlSinks(code: string): string[] {
  const stripped = code.replace(/\/\*[^]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/(^|[^:])\/\/.*$/gm, '$1');
  return stripped.split('\n').flatMap((line, i) => (SINKS.test(line) ? [`${i + 1}: ${line.trim()}`] : []));
}

describe('no HTML sinks in the web inspector', () => {
  it('client/ and src/web/ never build HTML from strings', () => {
    const found = [...files(path.join(ROOT, 'client')), ...files(path.join(ROOT, 'src', 'web'))]
      .flatMap((f) => htmlSinks(fs.readFileSync(f, 'utf8')).map((l) => `${path.relative(ROOT, f)}:${l}`));
    expect(found).toEqual([]);
  });

  it('the check finds each sink', () => {
    for (const bad of ['el.innerHTML = x', 'el.outerHTML = x', "el.insertAdjacentHTML('beforeend', x)", '<div dangerouslySetInnerHTML={{ __html: x }} />', 'document.write(x)', 'document . writeln(x)']) {
      expect(htmlSinks(bad), bad).toHaveLength(1);
    }
    expect(htmlSinks('// el.innerHTML in a comment')).toEqual([]);
  });
});
