import { describe, expect, test } from 'vitest';
import { FilterSyntaxError, parseFilter, type Filter } from '../../../src/analysis/filter/parse.js';

/** The tree without specs, for readable expectations. */
function shape(f: Filter): unknown {
  switch (f.type) {
    case 'and':
    case 'or': return [f.type, shape(f.left), shape(f.right)];
    case 'not': return ['not', shape(f.expr)];
    case 'has': return f.field.arg ? `${f.field.name}.${f.field.arg}` : f.field.name;
    case 'compare': return [f.field.arg ? `${f.field.name}.${f.field.arg}` : f.field.name, f.op, f.value.text];
  }
}

const column = (expr: string): number => {
  try {
    parseFilter(expr);
  } catch (err) {
    expect(err).toBeInstanceOf(FilterSyntaxError);
    return (err as FilterSyntaxError).column;
  }
  throw new Error(`${expr} parsed`);
};

describe('parseFilter', () => {
  test.each([
    ['method=PUT', ['method', '=', 'PUT']],
    ['path~stage2', ['path', '~', 'stage2']],
    ['event=APPCRASH', ['event', '=', 'APPCRASH']],
    ['app=widget.exe', ['app', '=', 'widget.exe']],
    ['machine~WKS-', ['machine', '~', 'WKS-']],
    ['status>=400', ['status', '>=', '400']],
    ['status < 300', ['status', '<', '300']],
    ['status<=299', ['status', '<=', '299']],
    ['status>199', ['status', '>', '199']],
    ['method!=POST', ['method', '!=', 'POST']],
    ['path~~^/stage[0-9]', ['path', '~~', '^/stage[0-9]']],
    ['header.user-agent~MSDW', ['header.user-agent', '~', 'MSDW']],
    ['Header.User-Agent = MSDW', ['header.user-agent', '=', 'MSDW']],
    ['response.header.content-type~text', ['response.header.content-type', '~', 'text']],
    ['p1=widget.exe', ['p.1', '=', 'widget.exe']],
    ['P10=x', ['p.10', '=', 'x']],
    ['param.bccode=0x9f', ['param.bccode', '=', '0x9f']],
    ['app="Widget Studio"', ['app', '=', 'Widget Studio']],
    ["user='LAB\\\\jdoe'", ['user', '=', 'LAB\\jdoe']],
    ['reason="say \\"hi\\""', ['reason', '=', 'say "hi"']],
    ['header.x=a=b', ['header.x', '=', 'a=b']],
    ['response', 'response'],
    ['report', 'report'],
  ])('%s', (expr, want) => expect(shape(parseFilter(expr))).toEqual(want));

  test('precedence: not > and > or, left to right; keywords in any case, symbols too', () => {
    expect(shape(parseFilter('method=PUT or event=APPCRASH and not status>=400'))).toEqual(
      ['or', ['method', '=', 'PUT'], ['and', ['event', '=', 'APPCRASH'], ['not', ['status', '>=', '400']]]]);
    expect(shape(parseFilter('(method=PUT OR method=POST) AND NOT response'))).toEqual(
      ['and', ['or', ['method', '=', 'PUT'], ['method', '=', 'POST']], ['not', 'response']]);
    expect(shape(parseFilter('!response && method=GET || seq>1'))).toEqual(
      ['or', ['and', ['not', 'response'], ['method', '=', 'GET']], ['seq', '>', '1']]);
    expect(shape(parseFilter('a=1 and b=2 and c=3'.replace(/[abc]=/g, 'method=')))).toEqual(
      ['and', ['and', ['method', '=', '1'], ['method', '=', '2']], ['method', '=', '3']]);
  });

  test('a value ends at white space or a parenthesis; keywords glued to a field are field text', () => {
    expect(shape(parseFilter('(method=PUT)'))).toEqual(['method', '=', 'PUT']);
    expect(() => parseFilter('method=PUTand status=1')).toThrow(/column 15: expected 'and', 'or' or the end, found "status=1"/);
  });

  test.each([
    ['', 1, /the filter is empty/],
    ['method=', 8, /expected a value after '='/],
    ['evnt=APPCRASH', 1, /unknown field "evnt" \(did you mean event\?\) — fields: method, target/],
    ['status>=abc', 7, /status is a number, but "abc" is not/],
    ['machine>3', 8, /'>' compares numbers and machine is text/],
    ['method=PUT and', 15, /expected a field name, found the end/],
    ['(method=PUT', 1, /'\(' is never closed/],
    ['method=PUT)', 11, /'\)' without a matching '\('/],
    ['app="Widget', 5, /the quoted value is never closed/],
    ['path~~[', 7, /bad regular expression/],
    ['method=PUT status=200', 12, /expected 'and', 'or' or the end, found "status=200"/],
    ['()', 2, /empty parentheses/],
    ['= PUT', 1, /expected a field name, found "= PUT"/],
    ['p11=x', 1, /unknown field "p11"/],
    ['p=x', 1, /unknown field "p"/],
    ['header=x', 1, /unknown field "header"/],
  ])('%j fails at column %i', (expr, col, message) => {
    expect(column(expr)).toBe(col);
    expect(() => parseFilter(expr)).toThrow(message);
  });

  test('error messages are one line', () => {
    expect(() => parseFilter('x\ny=1')).toThrow(/^column 1: unknown field "x"[^\n]*$/);
  });
});

describe('parseFilter on arbitrary input', () => {
  test('never throws anything but a FilterSyntaxError with a column inside the text (+1 for the end)', () => {
    const alphabet = ['method', 'status', 'header.x', 'p1', '=', '!=', '~', '~~', '<', '>=', '(', ')', ' ', '"', "'", '\\', 'and', 'or', 'not', '!', '&&', '||', 'PUT', '400', '[', '\n', 'é'];
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: 1 + rand(8) }, () => alphabet[rand(alphabet.length)]).join('');
      try {
        parseFilter(text);
      } catch (err) {
        expect(err).toBeInstanceOf(FilterSyntaxError);
        const col = (err as FilterSyntaxError).column;
        expect(col).toBeGreaterThanOrEqual(1);
        expect(col).toBeLessThanOrEqual(text.length + 1);
        expect((err as Error).message).not.toContain('\n');
      }
    }
  });
});
