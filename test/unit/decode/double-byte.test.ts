// Chinese, Japanese and Korean bodies are decoded by ICU's TextDecoder: the same text
// iconv-lite gives, without iconv-lite building its 12–160 ms tables on the socket thread.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../../src/domain/body/charset.js';
import { doubleByteDecoder } from '../../../src/domain/body/double-byte.js';
import { ROOT } from '../../helpers/paths.js';

const SAMPLES: ReadonlyArray<[charset: string, text: string]> = [
  ['gbk', '应用程序错误 widget.exe 已停止工作'],
  ['gb2312', '应用程序错误'],
  ['cp936', '错误报告'],
  ['gb18030', '应用程序错误 𠀀'],
  ['big5', '應用程式錯誤 已停止運作'],
  ['shift_jis', 'アプリケーション エラー 停止しました'],
  ['windows-31j', 'ｱﾌﾟﾘ エラー'],
  ['euc-jp', 'アプリケーション エラー'],
  ['euc-kr', '응용 프로그램 오류'],
  ['cp949', '오류 보고'],
];

describe('double-byte charsets', () => {
  for (const [charset, text] of SAMPLES) {
    it(`${charset}: the same text as iconv-lite, named by Content-Type and by an XML declaration`, () => {
      const bytes = iconv.encode(text, charset);
      expect(doubleByteDecoder(charset)).toBeDefined();
      const fromHeader = decodeText(bytes, `text/plain; charset=${charset}`);
      expect(fromHeader).toMatchObject({ charset, rule: 'content-type', text });
      expect(fromHeader.text).toBe(iconv.decode(bytes, charset));
      const xml = Buffer.concat([Buffer.from(`<?xml version="1.0" encoding="${charset}"?><r>`), bytes, Buffer.from('</r>')]);
      expect(decodeText(xml)).toMatchObject({ charset, rule: 'xml-declaration' });
      expect(decodeText(xml).text).toContain(text);
    });
  }

  it('names as iconv-lite matches them (case, punctuation); other charsets are not double-byte', () => {
    for (const n of ['GBK', 'x-gbk', 'Shift_JIS', 'SHIFT-JIS', 'Big5-HKSCS', 'EUC-KR', 'ks_c_5601-1987', 'windows-936']) expect(doubleByteDecoder(n), n).toBeDefined();
    for (const n of ['utf-8', 'windows-1252', 'iso-8859-1', 'koi8-r', 'utf-16le', 'nonsense']) expect(doubleByteDecoder(n), n).toBeUndefined();
  });

  it('bad bytes become U+FFFD, nothing is thrown', () => {
    const bad = Buffer.from([0x41, 0x81, 0x20, 0xff, 0x42]);
    for (const charset of ['gbk', 'big5', 'shift_jis', 'euc-kr', 'euc-jp']) {
      const d = decodeText(bad, `text/plain; charset=${charset}`);
      expect(d.text.startsWith('A'), charset).toBe(true);
      expect(d.text).toContain('\uFFFD');
    }
  });

  it('a Content-Type naming gbk and its body decoded load no iconv-lite table (a fresh process)', () => {
    const script = `
      import { createRequire } from 'node:module';
      import { decodeText } from ${JSON.stringify(path.join(ROOT, 'dist/domain/body/charset.js'))};
      const d = decodeText(Buffer.from([0xb4, 0xed, 0xce, 0xf3]), 'text/plain; charset=gbk');
      const tables = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('iconv-lite') && k.includes('tables'));
      console.log(JSON.stringify({ text: d.text, tables }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ text: '错误', tables: [] });
  });
});
