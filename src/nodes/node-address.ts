import { BlockList, isIP, isIPv4 } from 'node:net';

/**
 * Node addresses (spec §4.1 address policy): which addresses a node may register with, and how
 * two ways of writing one address compare. Pure functions over node:net.
 */

/** Ranges a node address may never be in unless `LLMLB_NODE_ALLOWED_NETWORKS` allows it. */
const REFUSED = new BlockList();
REFUSED.addSubnet('0.0.0.0', 8, 'ipv4'); // "this network", 0.0.0.0
REFUSED.addSubnet('127.0.0.0', 8, 'ipv4'); // loopback
REFUSED.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local (cloud metadata services live here)
REFUSED.addSubnet('224.0.0.0', 4, 'ipv4'); // multicast
REFUSED.addAddress('255.255.255.255', 'ipv4'); // broadcast
REFUSED.addAddress('::', 'ipv6'); // unspecified
REFUSED.addAddress('::1', 'ipv6'); // loopback
REFUSED.addSubnet('fe80::', 10, 'ipv6'); // link-local
REFUSED.addSubnet('ff00::', 8, 'ipv6'); // multicast

/** The 8 16-bit groups of an IPv6 address (a dotted IPv4 tail is accepted), or null. */
function ipv6Groups(ip: string): number[] | null {
  let s = ip.toLowerCase();
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    if (!isIPv4(dotted[2])) return null;
    const o = dotted[2].split('.').map(Number);
    s = `${dotted[1]}${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return null;
  const groups = [...head, ...Array<string>(fill).fill('0'), ...tail].map((h) =>
    /^[0-9a-f]{1,4}$/.test(h) ? parseInt(h, 16) : NaN,
  );
  return groups.some(Number.isNaN) ? null : groups;
}

const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-translated
 * (`::ffff:0:a.b.c.d`), IPv4-compatible (`::a.b.c.d`) or NAT64 (`64:ff9b::a.b.c.d`) IPv6
 * address, in any spelling (`::ffff:7f00:1` too); null for anything else.
 */
export function embeddedIpv4(ip: string): string | null {
  if (isIP(ip) !== 6) return null;
  const g = ipv6Groups(ip);
  if (!g) return null;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return v4(g[6], g[7]);
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return v4(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4(g[6], g[7]);
  // Compatible form; `::` and `::1` are IPv6 addresses of their own.
  if (zeros(0, 6) && (g[6] !== 0 || g[7] > 1)) return v4(g[6], g[7]);
  return null;
}

/**
 * The one text of a node address: IPv4-mapped IPv6 becomes plain IPv4 (a dual-stack socket
 * reports IPv4 callers that way), IPv6 is compressed and lower-case as URLs write it.
 */
export function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  const g = ip.includes('%') ? null : ipv6Groups(ip);
  if (g && g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return v4(g[6], g[7]);
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}

/** Whether two spellings name the same address (`::ffff:10.0.0.5` is `10.0.0.5`). */
export function sameAddress(a: string, b: string): boolean {
  return canonicalIp(a) === canonicalIp(b);
}

/** A BlockList of the CIDRs in `LLMLB_NODE_ALLOWED_NETWORKS` (validated by the config). */
export function allowedNetworks(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [addr, bits] = cidr.split('/');
    list.addSubnet(addr, Number(bits), isIP(addr) === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

const family = (ip: string) => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');

/**
 * Why a node may not register with `ip` (loopback, `0.0.0.0/8`, `::`, link-local, zone ids,
 * multicast, broadcast, and the IPv4-embedding IPv6 forms of those), or null when it may.
 * An address inside `allowed` is always accepted.
 */
export function refusedAddress(ip: string, allowed: BlockList): string | null {
  if (ip.includes('%')) return 'IPv6 zone ids are not allowed';
  if (!isIP(ip)) return 'not an IP address';
  const inner = embeddedIpv4(ip);
  if (allowed.check(ip, family(ip)) || (inner && allowed.check(inner, 'ipv4'))) return null;
  if (REFUSED.check(ip, family(ip)) || (inner && REFUSED.check(inner, 'ipv4')))
    return 'loopback, unspecified, link-local, multicast and broadcast addresses are not allowed';
  return null;
}
