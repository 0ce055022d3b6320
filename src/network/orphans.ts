// The kernel objects berth names (names.ts), read back from the host and sorted by kind, so that
// `system check` can tell which of them a root still needs. Which root an object belongs to is
// read from its name: the id it was named from is a row, or a directory, of exactly one root.
import { run } from '../sys/exec.js';
import { deleteLink, deleteNetns, hostRoutes, linkAlias, linkExists, listLinks, listNetns } from './kernel.js';
import { formatCidr, parseCidr, parseRoutesWithDev } from './ipam.js';
import { bridgeOwnerMark, NFT_FAMILY, NFT_TABLE } from './names.js';
import { elemKey, readTable, removeNetworkRules, removePortRules } from './nft.js';

const BRIDGE = /^berth-([0-9a-f]{8})$/;
const VETH = /^berth([0-9a-f]{9})[0-9a-z]$/;
const NETNS = /^berth-([0-9a-f]{12})$/;
const PORT_CHAIN = /^ctr-([0-9a-f]{12})$/;

export interface NamedObject {
  name: string;
  idPrefix: string;
}

const matching = (names: readonly string[], re: RegExp): NamedObject[] =>
  names.flatMap((name) => {
    const m = re.exec(name);
    return m ? [{ name, idPrefix: m[1]! }] : [];
  });

export const bridgesOnHost = (): NamedObject[] => matching(listLinks('berth'), BRIDGE);

/** Bridges carrying this root's mark (names.ts bridgeOwnerMark), whether or not a network names them. */
export function markedBridges(root: string): NamedObject[] {
  const mark = bridgeOwnerMark(root);
  return bridgesOnHost().filter((b) => linkAlias(b.name) === mark);
}

/** Deletes a bridge no network names, with the set elements keyed by it and by its subnet. */
export function deleteStrayBridge(name: string): void {
  const r = run('ip', ['-o', '-4', 'addr', 'show', 'dev', name], { allowFail: true });
  const cidr = /\binet (\d+\.\d+\.\d+\.\d+\/\d+)/.exec(r.stdout)?.[1];
  deleteLink(name);
  removeNetworkRules({ bridge: name, subnet: cidr ? formatCidr(parseCidr(cidr)) : '', internal: false });
}
export const hostVethsOnHost = (): NamedObject[] => matching(listLinks('berth'), VETH);
export const netnsOnHost = (): NamedObject[] => matching(listNetns(), NETNS);

export function portChainsOnHost(): NamedObject[] {
  const view = readTable();
  return view ? matching([...view.chains], PORT_CHAIN) : [];
}

export { deleteLink, deleteNetns, removePortRules };

/** One element of berth's sets, with the `nft` line that deletes it. */
export interface DeadElement {
  set: string;
  key: string;
  deleteLine: string;
}

/**
 * Set elements that no berth root can be using: those naming a bridge that does not exist (a
 * bridge is always made before its elements and deleted before them), and subnets masqueraded
 * although no berth bridge routes them. They are the same for every root, so any may mend them.
 */
export function deadElements(): DeadElement[] {
  const view = readTable();
  if (!view) return [];
  const T = `${NFT_FAMILY} ${NFT_TABLE}`;
  const dead: DeadElement[] = [];
  for (const set of ['bridges', 'internal', 'samebr']) {
    for (const e of view.sets.get(set) ?? []) {
      const key = elemKey(e);
      const names = key.split(' . ');
      if (names.every((n) => linkExists(n))) continue;
      dead.push({ set, key, deleteLine: `delete element ${T} ${set} { ${names.map((n) => `"${n}"`).join(' . ')} }` });
    }
  }
  const routed = new Set(parseRoutesWithDev(hostRoutes()).filter((r) => r.dev?.startsWith('berth')).map((r) => formatCidr(r.cidr)));
  for (const e of view.sets.get('masq') ?? []) {
    const key = elemKey(e);
    if (routed.has(key)) continue;
    dead.push({ set: 'masq', key, deleteLine: `delete element ${T} masq { ${key} }` });
  }
  return dead;
}

export function deleteElement(e: DeadElement): void {
  run('nft', ['-f', '-'], { input: `${e.deleteLine}\n`, allowFail: true });
}
