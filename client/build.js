// Builds the web inspector's page (client/src → dist/web/client): esbuild bundles the Preact app
// into one minified app.js (no CDN, nothing fetched at run time), and index.html and app.css are
// copied beside it. Run by `npm run build` (and so by `npm install`'s prepare). Fails, with
// esbuild's message, when the code does not build; prints the sizes.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', 'dist', 'web', 'client');
fs.mkdirSync(out, { recursive: true });
await build({
  entryPoints: [path.join(here, 'src', 'main.tsx')],
  outfile: path.join(out, 'app.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
for (const f of ['index.html', 'app.css']) fs.copyFileSync(path.join(here, f), path.join(out, f));
const size = (f) => (fs.statSync(path.join(out, f)).size / 1024).toFixed(1);
console.log(`web inspector page: app.js ${size('app.js')} KiB, app.css ${size('app.css')} KiB, index.html ${size('index.html')} KiB`);
