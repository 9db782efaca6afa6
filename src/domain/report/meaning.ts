// The human `meaning` of a signature value (docs/protocol.md §7.5): chosen by the parameter's English
// label — its `name` attribute, or for localized/missing names the label WER uses for that id
// and event type — then decoded by fields.ts (timestamps, exception and bugcheck codes, OS
// version, locale...). Values without a known label get no meaning; nothing here warns.
import {
  decodeBugcheck, decodeExceptionCode, decodeLcid, decodeOsString, decodePeTimestamp,
  decodeProductPair, decodeServicePackPair,
} from './fields.js';
import { PARAMETER_LABELS, parameterLabel } from './names.js';

type Decoder = (value: string) => string | undefined;

function osMeaning(v: string): string | undefined {
  const os = decodeOsString(v);
  if (!os) return undefined;
  return os.build === undefined ? os.versionName : `${os.versionName} · build ${os.build}`;
}

function lcidMeaning(v: string): string | undefined {
  const l = decodeLcid(v);
  return l ? l.hex + ' ' + (l.tag ?? l.special ?? 'unknown locale') : undefined;
}

/** How to explain a value, by its English label (docs/protocol.md §7.5), lower-case. */
const BY_LABEL: Record<string, Decoder> = Object.assign(Object.create(null) as Record<string, Decoder>, {
  'application timestamp': decodePeTimestamp,
  'fault module timestamp': decodePeTimestamp,
  'exception code': decodeExceptionCode,
  bccode: decodeBugcheck,
  'os version': osMeaning,
  'locale id': lcidMeaning,
  'service pack': decodeServicePackPair,
  product: decodeProductPair,
});

/**
 * The decoder (or none) of labels as WER spells them, so the usual names need no trim and
 * lower-casing (each of which allocates a string): equal to looking them up in BY_LABEL.
 */
const EXACT: ReadonlyMap<string, Decoder | null> = new Map(
  [...Object.values(PARAMETER_LABELS).flat(), 'OS Version', 'Locale ID', 'BCCode', 'Service Pack', 'Product']
    .map((label) => [label, BY_LABEL[label.trim().toLowerCase()] ?? null]),
);

function decoderFor(label: string): Decoder | undefined {
  const exact = EXACT.get(label);
  return exact === undefined ? BY_LABEL[label.trim().toLowerCase()] : (exact ?? undefined);
}

function meaningOf(label: string | undefined, value: string): string | undefined {
  const decode = label === undefined ? undefined : decoderFor(label);
  return decode ? decode(value) : undefined;
}

/** Label by the `name` attribute first; localized/missing names fall back to id + eventtype. */
export function parameterMeaning(
  eventType: string | undefined, id: number | string, name: string | undefined, value: string,
): string | undefined {
  const byName = name === undefined ? undefined : decoderFor(name);
  if (byName) return byName(value);
  return meaningOf(parameterLabel(eventType, id), value);
}

export function secondaryMeaning(name: string, value: string): string | undefined {
  return meaningOf(name, value);
}
