// berth's nftables rules. Everything lives in one table of berth's own (`inet berth`), so
// berth coexists with Docker's and Podman's tables and never flushes anything it did not make.
// Networks are elements of sets (bridges, isolation pairs, subnets to masquerade), added and
// deleted by key; each running container with published ports has one chain of DNAT rules and
// one jump to it. Each change is one `nft -f` transaction, so a failure leaves nothing half done.
import { run } from '../sys/exec.js';
import { NFT_FAMILY, NFT_TABLE } from './names.js';

const T = `${NFT_FAMILY} ${NFT_TABLE}`;
/** Chain whose existence says the base rules of this version are in place (see ensureBase). */
const MARKER = 'base-v3';
const BASE_CHAINS = ['forward', 'postrouting', 'prerouting', 'output', 'filter_output'];

/**
 * The fixed part of the table. The marker chain is *created* (not added) first: if another
 * berth got there before, the whole transaction fails atomically and no rule is doubled. The
 * base chains are flushed before their rules are added, so a table left by an older berth
 * (another marker) is brought up to date; per-container chains and jumps are kept.
 */
export function baseScript(): string {
  return [
    `add table ${T}`,
    `create chain ${T} ${MARKER}`,
    `add set ${T} bridges { type ifname; }`,
    `add set ${T} samebr { type ifname . ifname; }`,
    `add set ${T} internal { type ifname; }`,
    `add set ${T} masq { type ipv4_addr; flags interval; }`,
    `add chain ${T} forward { type filter hook forward priority filter; policy accept; }`,
    `add chain ${T} postrouting { type nat hook postrouting priority srcnat; policy accept; }`,
    `add chain ${T} prerouting { type nat hook prerouting priority dstnat; policy accept; }`,
    `add chain ${T} output { type nat hook output priority -100; policy accept; }`,
    `add chain ${T} filter_output { type filter hook output priority filter; policy accept; }`,
    `add chain ${T} ports`,
    ...BASE_CHAINS.map((c) => `flush chain ${T} ${c}`),
    // Inside one network everything passes (with br_netfilter, bridged frames show the bridge as
    // both in and out interface); between two berth networks nothing does (last rule below).
    `add rule ${T} forward iifname . oifname @samebr accept`,
    // Internal networks: no route out, and nothing forwarded in.
    `add rule ${T} forward iifname @internal drop`,
    `add rule ${T} forward oifname @internal drop`,
    // ... and the host itself opens no connection into them (its own address is their gateway,
    // so without this rule it would reach every container there directly). Replies, such as
    // the name server's answers to the containers, still pass.
    `add rule ${T} filter_output oifname @internal ct state new drop`,
    // A published port is reachable from every network, as through the host's address.
    `add rule ${T} forward ct status dnat accept`,
    `add rule ${T} forward iifname @bridges oifname @bridges drop`,
    // Published ports reached from the host itself (127.0.0.1 or its own addresses): the source
    // is local, so it is rewritten to the gateway, as Docker does without its userland proxy.
    `add rule ${T} postrouting oifname @bridges ct status dnat fib saddr type local masquerade`,
    // A container reaching a published port (hairpin, or from another network): its replies
    // must come back through the host to be un-NATed.
    `add rule ${T} postrouting oifname @bridges ct status dnat ip saddr @masq masquerade`,
    `add rule ${T} postrouting ip saddr @masq oifname != @bridges masquerade`,
    `add rule ${T} prerouting fib daddr type local jump ports`,
    `add rule ${T} output fib daddr type local jump ports`,
    '',
  ].join('\n');
}

function apply(script: string): void {
  run('nft', ['-f', '-'], { input: script });
}

export function tableExists(): boolean {
  return run('nft', ['list', 'chain', NFT_FAMILY, NFT_TABLE, MARKER], { allowFail: true }).status === 0;
}

/** Installs the base table unless it is there; safe against a parallel berth doing the same. */
export function ensureBase(): void {
  const r = run('nft', ['-f', '-'], { input: baseScript(), allowFail: true });
  // Older markers are left in place: an older berth still running then finds its own marker
  // and does not append its rules again.
  if (r.status === 0 || tableExists()) return;
  run('nft', ['-f', '-'], { input: baseScript() });
}

export interface NetRules {
  bridge: string;
  subnet: string;
  internal: boolean;
}

export function networkAddScript(n: NetRules): string {
  const lines = [
    `add element ${T} bridges { "${n.bridge}" }`,
    `add element ${T} samebr { "${n.bridge}" . "${n.bridge}" }`,
    n.internal ? `add element ${T} internal { "${n.bridge}" }` : `add element ${T} masq { ${n.subnet} }`,
  ];
  return lines.join('\n') + '\n';
}

/** Idempotent; the base is installed only when the elements cannot be added (no table yet). */
export function addNetworkRules(n: NetRules): void {
  if (run('nft', ['-f', '-'], { input: networkAddScript(n), allowFail: true }).status === 0) return;
  ensureBase();
  apply(networkAddScript(n));
}

/**
 * A container's start: its networks' elements and its port chain in one transaction. Only for
 * a container with no chain or jump left from an earlier start (its tear-down removed them).
 */
export function addNetworksAndPorts(nets: readonly NetRules[], ports: { chain: string; rules: readonly PortRule[] } | undefined): void {
  const script = nets.map(networkAddScript).join('') + (ports && ports.rules.length > 0 ? portsScript(ports.chain, ports.rules, [], false) : '');
  if (script === '') return;
  if (run('nft', ['-f', '-'], { input: script, allowFail: true }).status === 0) return;
  // Most likely no table yet (the first network of this boot); else the retry says what is wrong.
  ensureBase();
  apply(script);
}

interface NftJson {
  nftables: Array<Record<string, unknown>>;
}

export interface TableView {
  sets: Map<string, unknown[]>;
  chains: Set<string>;
  /** Rules of the `ports` chain: handle → jump target. */
  portJumps: Array<{ handle: number; target: string }>;
}

/** Reads the table once; undefined when it does not exist. */
export function readTable(): TableView | undefined {
  const r = run('nft', ['-j', '-a', 'list', 'table', NFT_FAMILY, NFT_TABLE], { allowFail: true });
  if (r.status !== 0) return undefined;
  const doc = JSON.parse(r.stdout) as NftJson;
  const view: TableView = { sets: new Map(), chains: new Set(), portJumps: [] };
  for (const item of doc.nftables) {
    const set = item['set'] as { name: string; elem?: unknown[] } | undefined;
    if (set) view.sets.set(set.name, set.elem ?? []);
    const chain = item['chain'] as { name: string } | undefined;
    if (chain) view.chains.add(chain.name);
    const rule = item['rule'] as { chain: string; handle: number; expr: Array<Record<string, unknown>> } | undefined;
    if (rule && rule.chain === 'ports') {
      for (const e of rule.expr) {
        const jump = e['jump'] as { target: string } | undefined;
        if (jump) view.portJumps.push({ handle: rule.handle, target: jump.target });
      }
    }
  }
  return view;
}

export function elemKey(e: unknown): string {
  if (typeof e === 'string') return e;
  const o = e as { prefix?: { addr: string; len: number }; concat?: string[]; elem?: { val: unknown } };
  if (o.prefix) return `${o.prefix.addr}/${o.prefix.len}`;
  if (o.concat) return o.concat.join(' . ');
  if (o.elem) return elemKey(o.elem.val);
  return JSON.stringify(e);
}

/** Removes one network's elements, those that exist (nft 1.0.6 has no `destroy`). */
export function removeNetworkRules(n: NetRules): void {
  const view = readTable();
  if (!view) return;
  const has = (set: string, key: string) => (view.sets.get(set) ?? []).some((e) => elemKey(e) === key);
  const lines: string[] = [];
  if (has('bridges', n.bridge)) lines.push(`delete element ${T} bridges { "${n.bridge}" }`);
  if (has('samebr', `${n.bridge} . ${n.bridge}`)) lines.push(`delete element ${T} samebr { "${n.bridge}" . "${n.bridge}" }`);
  if (has('internal', n.bridge)) lines.push(`delete element ${T} internal { "${n.bridge}" }`);
  if (has('masq', n.subnet)) lines.push(`delete element ${T} masq { ${n.subnet} }`);
  // Another berth may delete the same elements between our read and our write (nft 1.0.6 has
  // no `destroy`): then each line is tried on its own.
  if (lines.length > 0 && run('nft', ['-f', '-'], { input: lines.join('\n') + '\n', allowFail: true }).status !== 0) {
    for (const l of lines) run('nft', ['-f', '-'], { input: `${l}\n`, allowFail: true });
  }
  // The table goes with the last berth network of the host, so that a host without networks
  // holds nothing of berth's.
  const after = readTable();
  if (after && (after.sets.get('bridges') ?? []).length === 0 && after.portJumps.length === 0) {
    run('nft', ['delete', 'table', NFT_FAMILY, NFT_TABLE], { allowFail: true });
  }
}

export interface PortRule {
  hostIp: string;
  hostPort: number;
  proto: 'tcp' | 'udp';
  containerIp: string;
  containerPort: number;
}

/** One container's DNAT chain and the jump to it, replacing whatever an earlier start left. */
export function portsScript(chain: string, rules: readonly PortRule[], staleJumpHandles: readonly number[], chainExists: boolean): string {
  const lines: string[] = [];
  for (const h of staleJumpHandles) lines.push(`delete rule ${T} ports handle ${h}`);
  lines.push(`add chain ${T} ${chain}`);
  if (chainExists) lines.push(`flush chain ${T} ${chain}`);
  for (const r of rules) {
    const dst = r.hostIp === '' || r.hostIp === '0.0.0.0' ? '' : `ip daddr ${r.hostIp} `;
    lines.push(`add rule ${T} ${chain} ${dst}meta l4proto ${r.proto} th dport ${r.hostPort} dnat ip to ${r.containerIp}:${r.containerPort}`);
  }
  lines.push(`add rule ${T} ports jump ${chain}`);
  return lines.join('\n') + '\n';
}

export function setPortRules(chain: string, rules: readonly PortRule[]): void {
  if (rules.length === 0) {
    removePortRules(chain);
    return;
  }
  let view = readTable();
  if (!view || !view.chains.has(MARKER)) {
    ensureBase();
    view = readTable();
  }
  const stale = (view?.portJumps ?? []).filter((j) => j.target === chain).map((j) => j.handle);
  apply(portsScript(chain, rules, stale, view?.chains.has(chain) ?? false));
}

/** Deletes a container's chain and its jump, whatever is left of them. */
export function removePortRules(chain: string): void {
  const view = readTable();
  if (!view) return;
  const lines = view.portJumps.filter((j) => j.target === chain).map((j) => `delete rule ${T} ports handle ${j.handle}`);
  if (view.chains.has(chain)) lines.push(`flush chain ${T} ${chain}`, `delete chain ${T} ${chain}`);
  if (lines.length > 0) apply(lines.join('\n') + '\n');
}

/** Names of the port chains present, for the leak check and reconcile. */
export function listPortChains(): string[] {
  const view = readTable();
  return view ? [...view.chains].filter((c) => c.startsWith('ctr-')) : [];
}
