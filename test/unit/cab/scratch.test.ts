import { it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseCab } from '../../../src/decode/wer/cab.js';
import { extractCab } from '../../../src/decode/wer/cab-extract.js';
import { writeCab } from '../../../src/wer/cab-writer.js';
it('scratch', () => {
for (const f of ['sample-report.cab','sample-report-mszip.cab']) {
  const b = readFileSync('/work/shared/protocol/vectors/'+f);
  const c = parseCab(b);
  console.log(JSON.stringify({...c, files: c.files.map(x=>({...x}))}, (k,v)=> k==='reserve'?undefined:v).slice(0,1500));
  console.log(extractCab(b,c).map(e=>[e.name,e.size,e.data?.length,e.error]));
}
const big = Buffer.alloc(150000); for (let i=0;i<big.length;i++) big[i] = i%3000<1500 ? (Math.random()*256)|0 : i&7;
for (const compression of ['none','mszip'] as const) {
  const cab = writeCab([{name:'a.txt',data:Buffer.from('hello')},{name:'empty',data:Buffer.alloc(0)},{name:'dir\\ünï.bin',data:big, date:new Date(Date.UTC(2024,4,14,9,26,54))}], {compression});
  writeFileSync('/tmp/w-'+compression+'.cab', cab);
  const ex = extractCab(cab);
  console.log(compression, cab.length, ex.map(e=>[e.name,e.size,e.error, e.data && Buffer.compare(e.data, e.name==='empty'?Buffer.alloc(0): e.name==='a.txt'?Buffer.from('hello'):big)]));
}
});
