// The gate's options as plain data (address rules, limits, PEM), which can cross to a relay
// thread: a BlockList or a TLS context cannot, so each thread builds its own from this.
import tls from 'node:tls';
import { AccessList, type AddressRule } from './access-list.js';
import type { GateOptions } from './gate.js';

export interface GateSpec {
  allow: AddressRule[];
  deny: AddressRule[];
  maxConns?: number;
  idleTimeoutMs?: number;
  tls?: { cert: string; key: string };
}

/** `context`: a TLS context already made from `spec.tls` (saves making it twice). */
export function gateFromSpec(spec: GateSpec, context?: tls.SecureContext): GateOptions {
  const access = new AccessList(spec.allow, spec.deny);
  return {
    access: access.active ? access : undefined,
    maxConns: spec.maxConns,
    idleTimeoutMs: spec.idleTimeoutMs,
    tls: spec.tls ? (context ?? tls.createSecureContext(spec.tls)) : undefined,
  };
}
