// Every kernel object berth makes is named from a database id, so that a later command (or a
// reconcile after kill -9) finds it again without any memory of the one that made it. All
// names contain "berth" (the leak check greps for it) and fit IFNAMSIZ (15 characters).
import { resolve } from 'node:path';
import { nodeCrypto } from '../common/lazy.js';

export const DEFAULT_NETWORK = 'berth';
export const DEFAULT_BRIDGE = 'berth0';
/** berth's nftables table; it never touches any other. */
export const NFT_TABLE = 'berth';
export const NFT_FAMILY = 'inet';

/**
 * Every bridge, the default network's included, is named from its network's random id: two
 * berth roots on one host (a user's and the test suite's) each have a default network, and a
 * fixed name such as berth0 would make the second one fail.
 */
export function bridgeName(networkId: string, _isDefault: boolean): string {
  return `berth-${networkId.slice(0, 8)}`;
}

/**
 * The alias (ifalias) every bridge of one root carries: a bridge's name says which network it
 * is, and this says whose, so that `system check` can tell this root's bridge with no row
 * (left by an older berth, or by a lost instances file) from another root's.
 */
export function bridgeOwnerMark(root: string): string {
  return `berth-root=${nodeCrypto().createHash('sha256').update(resolve(root)).digest('hex').slice(0, 16)}`;
}

/** `ip netns add` name; the path is /run/netns/<name>. */
export function netnsName(containerId: string): string {
  return `berth-${containerId.slice(0, 12)}`;
}

export function netnsPath(containerId: string): string {
  return `/run/netns/${netnsName(containerId)}`;
}

/** Host side of the veth for interface ethN: "berth" + 9 hex of the id + N in base 36. */
export function hostVethName(containerId: string, ifIndex: number): string {
  if (ifIndex < 0 || ifIndex >= 36) throw new Error(`interface index ${ifIndex} out of range`);
  return `berth${containerId.slice(0, 9)}${ifIndex.toString(36)}`;
}

/** All host veths of one container share this prefix. */
export function hostVethPrefix(containerId: string): string {
  return `berth${containerId.slice(0, 9)}`;
}

export function ifIndexOf(ifname: string): number {
  const m = /^eth(\d+)$/.exec(ifname);
  if (!m) throw new Error(`unexpected interface name ${ifname}`);
  return Number(m[1]);
}

/** nftables chain holding one container's published-port DNAT rules. */
export function portChainName(containerId: string): string {
  return `ctr-${containerId.slice(0, 12)}`;
}

/** A bridge's MAC, fixed by its network id: locally administered, unicast. */
export function bridgeMac(networkId: string): string {
  const hex = nodeCrypto().createHash('sha256').update(`berth-bridge:${networkId}`).digest('hex').slice(0, 12);
  const b = hex.match(/../g)!.map((x) => parseInt(x, 16));
  b[0] = (b[0]! & 0xfc) | 0x02;
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** A random locally administered unicast MAC, kept for the endpoint's life so restarts keep it. */
export function randomMac(): string {
  const b = nodeCrypto().randomBytes(6);
  b[0] = (b[0]! & 0xfc) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}
