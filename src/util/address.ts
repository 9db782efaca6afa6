// `address:port` for people and logs; IPv6 in brackets, IPv4-mapped IPv6 shown as IPv4.
export function formatAddress(address: string | undefined, port: number | undefined): string {
  let a = address ?? '?';
  if (a.startsWith('::ffff:') && a.includes('.')) a = a.slice(7);
  return a.includes(':') ? `[${a}]:${port ?? '?'}` : `${a}:${port ?? '?'}`;
}
