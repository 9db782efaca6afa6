// Who may connect: `--allow` / `--deny` rules (addresses or CIDR blocks, IPv4 and IPv6) kept in
// node:net BlockLists. A deny rule always wins; with any allow rule, everyone else is refused.
// IPv4-mapped IPv6 peers (::ffff:10.0.0.1, what a dual-stack `::` listener reports) match IPv4
// rules and vice versa (BlockList does that itself; tests hold it to it). No file I/O here.
import net from 'node:net';

export interface AddressRule {
  /** As the user wrote it (for messages). */
  text: string;
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** `10.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`, `[::1]`, `::ffff:10.0.0.0/104`. Returns an
 * error message (one line, says what is accepted) instead of throwing. */
export function parseAddressRule(value: string): AddressRule | string {
  const text = value.trim();
  const m = /^\[?([^\]/\s]+)\]?(?:\/(\d{1,3}))?$/.exec(text);
  const address = m?.[1] ?? '';
  const kind = net.isIP(address);
  if (!m || kind === 0 || address.includes('%')) {
    return `"${text}" is not an IPv4/IPv6 address or CIDR block (e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8, ::1)`;
  }
  const family = kind === 4 ? 'ipv4' : 'ipv6';
  const max = kind === 4 ? 32 : 128;
  const prefix = m[2] === undefined ? max : Number(m[2]);
  if (prefix > max) return `"${text}": the prefix length of an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} block is 0–${max}`;
  return { text, address, prefix, family };
}

/** One rule per line; `#` starts a comment; blank lines are skipped. Errors name the line. */
export function parseRuleLines(text: string, where: string): AddressRule[] {
  const rules: AddressRule[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/#.*/, '').trim();
    if (!line) continue;
    for (const part of line.split(/[\s,]+/).filter(Boolean)) {
      const r = parseAddressRule(part);
      if (typeof r === 'string') throw new Error(`${where} line ${i + 1}: ${r}`);
      rules.push(r);
    }
  }
  return rules;
}

export class AccessList {
  private readonly allow = new net.BlockList();
  private readonly deny = new net.BlockList();
  readonly allowCount: number;
  readonly denyCount: number;

  constructor(allow: AddressRule[], deny: AddressRule[]) {
    for (const r of allow) add(this.allow, r);
    for (const r of deny) add(this.deny, r);
    this.allowCount = allow.length;
    this.denyCount = deny.length;
  }

  get active(): boolean {
    return this.allowCount + this.denyCount > 0;
  }

  /** Undefined when `address` may connect, else why not (for the log line). */
  check(address: string | undefined): string | undefined {
    if (!this.active) return undefined;
    const kind = address ? net.isIP(address) : 0;
    if (!address || kind === 0) return 'peer address unknown';
    const family = kind === 4 ? 'ipv4' : 'ipv6';
    if (this.denyCount && this.deny.check(address, family)) return 'matches --deny';
    if (this.allowCount && !this.allow.check(address, family)) return 'not in --allow';
    return undefined;
  }
}

function add(list: net.BlockList, r: AddressRule): void {
  if (r.prefix === (r.family === 'ipv4' ? 32 : 128)) list.addAddress(r.address, r.family);
  else list.addSubnet(r.address, r.prefix, r.family);
}
