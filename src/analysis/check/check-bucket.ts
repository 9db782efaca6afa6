// What decides whether a report can be bucketed: the server groups reports by their event
// type and signature (MS-CER2 §2.2.2: "Bucket: bucket ID for this error signature"; §4.1 builds
// the DumpFile path from P1…P8). A SIGNATURE that is missing or empty gives nothing to group
// by; parameters without values and event types that carry none weaken it. BlueScreen reports
// carry their signature in SECONDARYPARAMETERs only (§4.3), which is not a finding.
import { attrOf, type XmlNode } from '../../domain/body/xml.js';
import { finding, type Finding } from './rules.js';
import { childrenByName, elementsNamed } from './check-values.js';
import { quote } from './check-structure.js';

/** `byName`: childrenByName(nodes), when the caller has it already. */
export function checkBucketing(nodes: XmlNode[], byName = childrenByName(nodes)): Finding[] {
  const out: Finding[] = [];
  const signature = byName.get('SIGNATURE');
  const eventInfo = byName.get('EVENTINFO');
  const eventType = eventInfo ? attrOf(eventInfo, 'eventtype') ?? '' : '';
  const params = elementsNamed(signature, 'PARAMETER');
  const secondary = elementsNamed(signature, 'SECONDARYPARAMETER');
  if (!signature) {
    out.push(finding('signature-empty', 'no SIGNATURE element: the report cannot be bucketed (the server groups reports by their signature)', 'add <SIGNATURE> with the PARAMETERs that identify the failure (P1 = id 0 …)'));
    return out;
  }
  if (params.length === 0 && secondary.length === 0) {
    out.push(finding('signature-empty', 'SIGNATURE is empty (no PARAMETER): the report cannot be bucketed (the server groups reports by these parameters)', 'send the problem signature as <PARAMETER id="0" name="…" value="…"/> … (up to 10)'));
    return out;
  }
  if (params.length === 0 && !/^bluescreen$/i.test(eventType.trim())) {
    out.push(finding('no-parameters', `event type ${quote(eventType)} has no PARAMETER, only SECONDARYPARAMETERs: its bucket rests on the event type alone`, 'send the identifying values as PARAMETER id 0-9; only BlueScreen reports use SECONDARYPARAMETERs alone (§4.3)'));
  }
  for (const p of params) {
    const value = attrOf(p, 'value');
    if (value !== undefined && value.trim() === '') {
      const id = attrOf(p, 'id') ?? '?';
      const name = attrOf(p, 'name');
      out.push(finding('parameter-no-value', `PARAMETER ${id}${name ? ` (${quote(name)})` : ''} has an empty value: it adds nothing to the bucket`, 'fill in the value or leave the PARAMETER out'));
    }
  }
  return out;
}
