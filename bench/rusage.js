// Preloaded with `node --import ./bench/rusage.js` by bench/hostile.js and bench/decode.js: when
// the process exits, its peak RSS and CPU time go to the file named by WER_SNIFF_RUSAGE, as one
// JSON line.
import fs from 'node:fs';

const file = process.env.WER_SNIFF_RUSAGE;
if (file) {
  process.on('exit', () => {
    const r = process.resourceUsage();
    fs.writeFileSync(file, JSON.stringify({ maxRssKiB: r.maxRSS, cpuMs: Math.round((r.userCPUTime + r.systemCPUTime) / 1000) }) + '\n');
  });
}
