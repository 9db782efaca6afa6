import { describe, expect, test } from 'vitest';
import { decodeText } from '../../../src/domain/body/charset.js';
import { parseXml } from '../../../src/domain/body/xml.js';
import { formatXml } from '../../../src/render/format-xml.js';
import { readVector } from '../../helpers/paths.js';
import { marked, plain } from './paints.js';

describe('formatXml', () => {
  test('golden: the APPCRASH level 1 body (UTF-16LE + BOM)', () => {
    const nodes = parseXml(decodeText(readVector('level1-appcrash.body.xml')).text);
    expect(formatXml(nodes, plain)).toEqual([
      '<?xml version="1.0" encoding="UTF-16"?>',
      '<WERREPORT xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
      '  <MACHINEINFO machinename="WKS-0042.lab.example.test" os="10.0.19045.2.0.0.256.48" lcid="1033"/>',
      '  <USERINFO username="LAB\\jdoe"/>',
      '  <APPLICATIONINFO',
      '    appname="Widget Studio"',
      '    apppath="C:\\Program Files\\Widget\\widget.exe"',
      '    appcompany="Example Widgets Ltd"/>',
      '  <EVENTINFO',
      '    reporttype="2"',
      '    eventtime="133601524131234560"',
      '    eventtype="APPCRASH"',
      '    friendlyeventname="Stopped working"/>',
      '  <SIGNATURE>',
      '    <PARAMETER id="0" name="Application Name" value="widget.exe"/>',
      '    <PARAMETER id="1" name="Application Version" value="3.2.1.0"/>',
      '    <PARAMETER id="2" name="Application Timestamp" value="65f1a2b3"/>',
      '    <PARAMETER id="3" name="Fault Module Name" value="render.dll"/>',
      '    <PARAMETER id="4" name="Fault Module Version" value="3.2.1.0"/>',
      '    <PARAMETER id="5" name="Fault Module Timestamp" value="65f1a2a0"/>',
      '    <PARAMETER id="6" name="Exception Code" value="c0000005"/>',
      '    <PARAMETER id="7" name="Exception Offset" value="000000000001a2f4"/>',
      '    <SECONDARYPARAMETER name="OS Version" value="10.0.19045.2.0.0.256.48"/>',
      '    <SECONDARYPARAMETER name="Locale ID" value="1033"/>',
      '  </SIGNATURE>',
      '  <FILES>',
      '    <FILE filetype="5" filename="Version.txt"/>',
      '  </FILES>',
      '</WERREPORT>',
    ]);
  });

  test('text inline or indented, comments, CDATA, re-escaped markup characters', () => {
    const nodes = parseXml('<a><b>short</b><!-- note --><c x="&quot;&lt;&amp;">1 &lt; 2\r\nline two</c><d><![CDATA[<raw>]]></d></a>');
    expect(formatXml(nodes, plain)).toEqual([
      '<a>',
      '  <b>short</b>',
      '  <!-- note -->',
      '  <c x="&quot;&lt;&amp;">',
      '    1 &lt; 2',
      '    line two',
      '  </c>',
      '  <d>',
      '    <![CDATA[<raw>]]>',
      '  </d>',
      '</a>',
    ]);
  });

  test('control characters in names, values and text are escaped and painted', () => {
    const nodes = parseXml('<a v="x&#x1b;[31my&#10;z">t&#x202e;u</a>');
    expect(formatXml(nodes, marked)).toEqual(['<a v="x⟦\\x1b⟧[31my⟦\\n⟧z">t⟦\\u202e⟧u</a>']);
  });

  test('a long line with few attributes still wraps', () => {
    const nodes = parseXml(`<a long="${'x'.repeat(120)}"/>`);
    expect(formatXml(nodes, plain)).toEqual(['<a', `  long="${'x'.repeat(120)}"/>`]);
  });

  test('colours go through the paint', () => {
    const tagged = { ...plain, tag: (s: string) => `T(${s})`, key: (s: string) => `K(${s})`, value: (s: string) => `V(${s})` };
    expect(formatXml(parseXml('<a k="v"/>'), tagged)).toEqual(['T(<)T(a) K(k)=V("v")T(/>)']);
  });
});
