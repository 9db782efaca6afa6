// The server-side flags `listen` and `relay` share (declared once, in program.ts
// serverOptions): --max-conns, --idle-timeout, --allow/--deny and their files, and --tls, turned
// into the gate's options. Reads the rule and PEM files; loaded only when a server starts.
import fs from 'node:fs';
import { parseRuleLines, type AddressRule } from '../sources/net/access-list.js';
import { gateFromSpec, type GateSpec } from '../sources/net/gate-spec.js';
import type { GateOptions } from '../sources/net/gate.js';
import { WerSniffError, inWords } from '../errors.js';
import { setUpTls, type TlsFlags } from './tls-setup.js';

export interface ServerFlags extends TlsFlags {
  bind: string;
  maxConns?: number;
  idleTimeout: number;
  allow?: AddressRule[];
  deny?: AddressRule[];
  allowfile?: string[];
  denyfile?: string[];
}

export interface ServerSetup {
  gate: GateOptions;
  /** The same as plain data, for a relay thread to build its own gate from. */
  spec: GateSpec;
  /** Start-up lines for stderr (TLS fingerprint and how-to), without the `wer-sniff: ` prefix. */
  lines: string[];
}

export function resolveServerFlags(flags: ServerFlags): ServerSetup {
  const allow = [...(flags.allow ?? []), ...(flags.allowfile ?? []).flatMap((f) => readRules(f, '--allowfile'))];
  const deny = [...(flags.deny ?? []), ...(flags.denyfile ?? []).flatMap((f) => readRules(f, '--denyfile'))];
  if (flags.allowfile?.length && allow.length === (flags.allow?.length ?? 0)) {
    // Failing open (no allow rule = everyone allowed) would be the wrong surprise here.
    throw new WerSniffError('bad-flags', `--allowfile ${flags.allowfile.join(', ')} holds no addresses — that would let everyone in; add some or drop the flag`, 2);
  }
  const tls = setUpTls(flags, flags.bind);
  const spec: GateSpec = { allow, deny, maxConns: flags.maxConns, idleTimeoutMs: flags.idleTimeout, tls: tls?.pem };
  return { gate: gateFromSpec(spec, tls?.context), spec, lines: tls?.lines ?? [] };
}

function readRules(file: string, flag: string): AddressRule[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new WerSniffError('bad-flags', `cannot read ${flag} ${file}: ${inWords(err)} — check the path`, 2);
  }
  try {
    return parseRuleLines(text, `${flag} ${file}`);
  } catch (err) {
    throw new WerSniffError('bad-flags', (err as Error).message, 2);
  }
}
