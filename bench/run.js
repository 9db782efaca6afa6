// Entry point of `npm run bench` (after the build). `node bench/run.js relay` runs only the
// relay benchmark; no argument runs them all. Each module exports `run({ args })` and prints
// its own Markdown. To add one, write bench/<name>.js and add it to BENCHES.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BENCHES = [
  { name: 'big-text-put', file: './big-text-put.js', what: 'a 20 MiB text PUT: how long the other clients wait meanwhile, listener peak RSS' },
  { name: 'relay', file: './relay.js', what: 'relay throughput, request rate, CPU per exchange, memory vs socat, a minimal Node relay and mitmdump' },
  { name: 'capture', file: './capture.js', what: 'listener + recorder' },
  { name: 'decode', file: './decode.js', what: 'offline decode' },
  { name: 'hostile-cab', file: './hostile-cab.js', what: 'hostile CABs (bombs, overlap, long lines, a 32 MB CAB) against listen --save-dir' },
  { name: 'giant-dump', file: './giant-dump.js', what: 'listener RSS over time while a 60 MB and a 1 GiB dump CAB are PUT to listen --save-dir --json and summarised' },
  { name: 'cab-lzx', file: './cab-lzx.js', what: 'LZX and MSZIP CAB extraction vs cabextract' },
  { name: 'web', file: './web.js', what: 'web inspector list with 10,000 exchanges in headless Chromium vs a plain HTML table' },
];

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !BENCHES.some((b) => b.name === w));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`);
  process.exit(2);
}

for (const bench of BENCHES) {
  if (wanted.length && !wanted.includes(bench.name)) continue;
  if (!existsSync(fileURLToPath(new URL(bench.file, import.meta.url)))) {
    console.log(`\n## ${bench.name}: skipped (bench/${bench.file.slice(2)} is not written yet)\n`);
    continue;
  }
  console.log(`\n## ${bench.name}: ${bench.what}\n`);
  const mod = await import(bench.file);
  await mod.run({ args: process.argv.slice(2) });
}
// Stray handles of a benchmark (servers, timers) must not keep `npm run bench` alive.
process.exit(0);
