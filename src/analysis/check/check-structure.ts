// Structure of a level-1 report (MS-CER2 §2.2.1.3): the root, the elements a report needs,
// required attributes missing or empty, elements given twice, and elements or attributes the
// schema does not know (notes: they are kept and shown, real clients may send them). Element
// names are matched case-insensitively and in any order, like report.ts reads them: the
// examples' order differs from the schema's (docs/protocol.md §3.2), which is not a finding.
// Each finding cites its rule's section (rules.ts); the section of the element at fault, where
// the attribute or child is defined, is named in the fix.
import { attrOf, isElement, rootElement, textContent, upperName, type XmlNode } from '../../domain/body/xml.js';
import { finding, type Finding } from './rules.js';
import { ELEMENTS, REQUIRED_CHILDREN, ROOT, TYPED_ATTRS } from './schema.js';

/** Quote a value from the wire for a one-line message (escaping happens when printed). */
export function quote(s: string, max = 80): string {
  return `"${s.length > max ? s.slice(0, max) + '…' : s}"`;
}

function isNamespaceAttr(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'xmlns' || lower.startsWith('xmlns:') || lower.startsWith('xsi:');
}

/** Where a node is, for messages: its parent's path and its name (built only when a finding
 * names it, or its children need it). */
function pathOf(parent: string | undefined, name: string): string {
  return parent === undefined ? name : `${parent}/${name}`;
}

function checkAttributes(node: XmlNode, upper: string, parent: string | undefined, out: Finding[]): void {
  const rule = ELEMENTS[upper]!;
  for (const attr of rule.required) {
    const value = attrOf(node, attr);
    if (value === undefined) {
      out.push(finding('attribute-missing', `${pathOf(parent, node.name)} has no ${attr} attribute`, `add ${attr}="…" to ${upper} (required by ${rule.section})`));
    } else if (value.trim() === '' && !(upper === 'PARAMETER' && attr === 'value')) { // that one: check-bucket.ts
      const typed = TYPED_ATTRS.has(attr);
      out.push(finding(typed ? 'attribute-empty' : 'string-empty', `${pathOf(parent, node.name)} ${attr} is empty`, `give ${upper} a non-empty ${attr} (${rule.section})`));
    }
  }
  const known = rule.known!;
  for (const [name, value] of node.attrs) {
    if (known.has(name) || isNamespaceAttr(name)) continue;
    if (known.has(name.toLowerCase())) {
      out.push(finding('name-case', `${pathOf(parent, node.name)} attribute ${name} is spelled ${name.toLowerCase()} in the schema`, `write ${name.toLowerCase()} (${rule.section}): XML names are case-sensitive and a strict parser will not find ${name}`));
      continue;
    }
    out.push(finding('unknown-attribute', `${pathOf(parent, node.name)} has ${name}=${quote(value)}, not in the schema (kept)`, `nothing to do if your server ignores it; the schema of ${rule.section} does not define it`));
  }
}

function walk(node: XmlNode, upper: string, parent: string | undefined, out: Finding[]): void {
  checkAttributes(node, upper, parent, out);
  const rule = ELEMENTS[upper]!;
  const children = node.children;
  if (children.length === 0 && upper !== ROOT) return;
  const path = pathOf(parent, node.name);
  const seen = new Set<string>();
  for (const child of children) {
    if (!isElement(child)) {
      if ((child.name === '#text' || child.name === '#cdata') && (child.text ?? '').trim() !== '') {
        out.push(finding('unknown-element', `${path} contains text ${quote((child.text ?? '').trim())}, which the schema does not define (kept)`, `remove the text; every value travels in attributes (${rule.section})`));
      }
      continue;
    }
    const childUpper = upperName(child.name);
    if (!rule.children.includes(childUpper)) {
      const text = textContent(child).trim();
      out.push(finding('unknown-element', `${pathOf(path, child.name)} is not in the schema (kept)${text ? ` and holds ${quote(text)}` : ''}`, `nothing to do if your server ignores it; ${rule.section} does not define it below ${upper}`));
      continue;
    }
    if (ELEMENTS[childUpper]!.single && seen.has(childUpper)) {
      out.push(finding('element-duplicate', `${pathOf(path, child.name)} appears more than once; only the first is used`, `send one ${childUpper} element (${rule.section})`));
      continue;
    }
    seen.add(childUpper);
    if (child.name !== childUpper) {
      out.push(finding('name-case', `element ${pathOf(path, child.name)} is spelled ${childUpper} in the schema`, `write <${childUpper}> (${ELEMENTS[childUpper]!.section}): XML names are case-sensitive and a strict parser will not find <${child.name}>`));
    }
    walk(child, childUpper, path, out);
  }
  if (upper === ROOT) {
    for (const required of REQUIRED_CHILDREN) {
      if (!seen.has(required)) out.push(finding('element-missing', `no ${required} element`, `add <${required} …/> to WERREPORT (${ELEMENTS[required]!.section})`));
    }
  }
}

/** Findings about the shape of the parsed document. */
export function checkStructure(nodes: XmlNode[]): Finding[] {
  const out: Finding[] = [];
  const root = rootElement(nodes);
  if (!root) return [finding('root-not-werreport', 'the document has no root element', 'send <WERREPORT> as the root element')];
  if (upperName(root.name) !== ROOT) {
    return [finding('root-not-werreport', `root element is ${root.name}, not WERREPORT`, 'make <WERREPORT> the root element')];
  }
  if (root.name !== ROOT) out.push(finding('name-case', `root element ${root.name} is spelled WERREPORT in the schema`, `write <WERREPORT> (${ELEMENTS[ROOT]!.section}): XML names are case-sensitive`));
  walk(root, ROOT, undefined, out);
  return out;
}
