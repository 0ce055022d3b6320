// IPv4 address management as pure functions: the callers read the taken addresses and the
// host's routes, these decide. Addresses are unsigned 32-bit numbers inside, dotted text outside.
import { invalid } from '../common/errors.js';

export interface Cidr {
  /** Network address (host bits cleared). */
  network: number;
  prefix: number;
}

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIPv4(text: string): number {
  const m = IPV4_RE.exec(text.trim());
  if (m) {
    const parts = m.slice(1, 5).map(Number);
    if (parts.every((p) => p <= 255)) return parts.reduce((acc, p) => acc * 256 + p, 0);
  }
  throw invalid('network.bad_address', `invalid IPv4 address "${text}"`);
}

export function isIPv4(text: string): boolean {
  try {
    parseIPv4(text);
    return true;
  } catch {
    return false;
  }
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses "10.89.0.0/24". Host bits are cleared, as Podman does; "/N" is required. */
export function parseCidr(text: string): Cidr {
  const [addr, len, ...rest] = text.trim().split('/');
  const prefix = Number(len);
  if (addr === undefined || len === undefined || rest.length > 0 || !/^\d{1,2}$/.test(len) || prefix > 32 || !isIPv4(addr)) {
    throw invalid('network.bad_cidr', `invalid CIDR "${text}": expected an IPv4 network such as 10.89.0.0/24`);
  }
  return { network: (parseIPv4(addr) & mask(prefix)) >>> 0, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIPv4(c.network)}/${c.prefix}`;
}

export function broadcast(c: Cidr): number {
  return (c.network | ~mask(c.prefix)) >>> 0;
}

export function cidrContains(c: Cidr, ip: number): boolean {
  return ((ip & mask(c.prefix)) >>> 0) === c.network;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.network & mask(p)) >>> 0) === ((b.network & mask(p)) >>> 0);
}

const UNUSABLE = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '240.0.0.0/4'];

/**
 * A subnet must leave room for network, gateway, broadcast and at least one container, and
 * must not be one the kernel treats specially (this-network, loopback, link-local, multicast).
 */
export function validateSubnet(c: Cidr, text: string): void {
  if (c.prefix > 30 || c.prefix < 8) {
    throw invalid('network.bad_cidr', `subnet ${text}: prefix must be between /8 and /30`);
  }
  const special = UNUSABLE.find((u) => cidrsOverlap(parseCidr(u), c));
  if (special) throw invalid('network.bad_cidr', `subnet ${text} overlaps the reserved range ${special}`);
}

/**
 * The first /size block of the pools that overlaps none of `taken` (other networks and the
 * host's routes). Returns undefined when the pools are full.
 */
export function pickSubnet(pools: readonly Cidr[], taken: readonly Cidr[], size = 24): Cidr | undefined {
  for (const pool of pools) {
    if (pool.prefix > size) continue;
    const step = 2 ** (32 - size);
    const end = broadcast(pool);
    for (let n = pool.network; n <= end; n += step) {
      const cand = { network: n, prefix: size };
      if (!taken.some((t) => cidrsOverlap(t, cand))) return cand;
    }
  }
  return undefined;
}

export interface Route {
  cidr: Cidr;
  dev: string | undefined;
}

/** The routes `ip -4 route show table all` prints, with their device; "default" and host routes are skipped. */
export function parseRoutesWithDev(text: string): Route[] {
  const out: Route[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    // `table local` lists broadcast/local entries first; the destination is then the second word.
    const dest = ['broadcast', 'local', 'unicast', 'multicast', 'anycast'].includes(words[0] ?? '') ? words[1] : words[0];
    if (!dest || dest === 'default') continue;
    const withLen = dest.includes('/') ? dest : `${dest}/32`;
    try {
      const c = parseCidr(withLen);
      if (c.prefix === 32 || c.prefix === 0) continue;
      const at = words.indexOf('dev');
      out.push({ cidr: c, dev: at >= 0 ? words[at + 1] : undefined });
    } catch {
      // Lines that are not IPv4 destinations (unreachable, blackhole without prefix…) are ignored.
    }
  }
  return out;
}

export function parseRoutes(text: string): Cidr[] {
  return parseRoutesWithDev(text).map((r) => r.cidr);
}

export interface AddressPool {
  subnet: Cidr;
  /** Dynamic addresses come from here when set (Docker's --ip-range); defaults to the subnet. */
  range?: Cidr | undefined;
  gateway: number;
}

function reserved(pool: AddressPool, ip: number): boolean {
  return ip === pool.subnet.network || ip === broadcast(pool.subnet) || ip === pool.gateway;
}

/** The lowest free address of the range, skipping network, gateway, broadcast and `taken`. */
export function nextFreeAddress(pool: AddressPool, taken: ReadonlySet<number>): number | undefined {
  const r = pool.range ?? pool.subnet;
  const end = broadcast(r);
  for (let ip = r.network; ip <= end; ip++) {
    if (!cidrContains(pool.subnet, ip) || reserved(pool, ip) || taken.has(ip)) continue;
    return ip;
  }
  return undefined;
}

/**
 * Checks a user-given address. As in Docker, it must lie in the subnet; --ip-range limits only
 * dynamic allocation, so static addresses are usually put outside it to never collide.
 * Network, gateway and broadcast are never a container's.
 */
export function checkStaticAddress(pool: AddressPool, text: string, networkName: string): number {
  const ip = parseIPv4(text);
  if (!cidrContains(pool.subnet, ip)) {
    throw invalid('network.address_outside', `address ${text} is outside network ${networkName} (${formatCidr(pool.subnet)})`);
  }
  if (reserved(pool, ip)) {
    throw invalid('network.address_reserved', `address ${text} is the network, gateway or broadcast address of network ${networkName}`);
  }
  return ip;
}

/** Derives the gateway: the given one (checked to be a host address of the subnet) or the first. */
export function chooseGateway(subnet: Cidr, given: string | undefined): number {
  if (given === undefined) return subnet.network + 1;
  const gw = parseIPv4(given);
  if (!cidrContains(subnet, gw) || gw === subnet.network || gw === broadcast(subnet)) {
    throw invalid('network.gateway_outside', `gateway ${given} is not a host address of subnet ${formatCidr(subnet)}`);
  }
  return gw;
}
