// Virtual switches: a network is a row in the instances file plus a Linux bridge holding its
// gateway address and a few nftables set elements. The row is the truth; the bridge is made
// again from it whenever it is missing (ensureBridge), e.g. after a reboot.
import { conflict, exists, invalid, notFound, unavailable } from '../common/errors.js';
import { newId, validateName } from '../common/ids.js';
import { sleepMs } from '../common/sleep.js';
import { step } from '../common/fault.js';
import type { NetCtx } from './context.js';
import { DEFAULT_POOLS } from './context.js';
import {
  chooseGateway,
  cidrContains,
  cidrsOverlap,
  formatCidr,
  formatIPv4,
  parseCidr,
  parseRoutes,
  parseRoutesWithDev,
  pickSubnet,
  validateSubnet,
} from './ipam.js';
import type { Cidr } from './ipam.js';
import { deleteLink, ensureBridgeLink, hostRoutes, linkExists, netnsExists } from './kernel.js';
import { bridgeMac, bridgeName, bridgeOwnerMark, DEFAULT_NETWORK, hostVethName, ifIndexOf, netnsName } from './names.js';
import { addNetworkRules, removeNetworkRules } from './nft.js';
import { applyPorts } from './ports.js';
import { refreshDns } from './dns.js';
import type { NetworkRow } from './store.js';

export interface NetworkRecord {
  name: string;
  id: string;
  bridge: string;
  subnet: string;
  gateway: string;
  ipRange?: string;
  internal: boolean;
  labels: Record<string, string>;
  createdAt: string;
}

export interface CreateNetworkOptions {
  name: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  internal?: boolean;
  labels?: Record<string, string>;
}

export function toRecord(row: NetworkRow): NetworkRecord {
  return {
    name: row.name,
    id: row.id,
    bridge: row.bridge,
    subnet: row.subnet,
    gateway: row.gateway,
    ...(row.ip_range ? { ipRange: row.ip_range } : {}),
    internal: row.internal !== 0,
    labels: JSON.parse(row.labels) as Record<string, string>,
    createdAt: row.created_at,
  };
}

const RESERVED = new Set(['none', 'host', 'bridge', 'default', 'container']);

/** Looks a network up by name, full id or unique id prefix, as Docker does. */
export function getNetwork(ctx: NetCtx, nameOrId: string): NetworkRecord {
  const row = ctx.store.network(nameOrId) ?? findById(ctx, nameOrId);
  if (!row) throw notFound('network.not_found', `network ${nameOrId} not found`, 'see `berth network ls`');
  return toRecord(row);
}

function findById(ctx: NetCtx, prefix: string): NetworkRow | undefined {
  if (!/^[0-9a-f]{3,64}$/.test(prefix)) return undefined;
  const rows = ctx.store.networks().filter((r) => r.id.startsWith(prefix));
  return rows.length === 1 ? rows[0] : undefined;
}

export function listNetworks(ctx: NetCtx): NetworkRecord[] {
  return ctx.store.networks().map(toRecord);
}

/**
 * Creates the network's row, then its bridge: if the bridge cannot be made, the row is removed
 * again; if berth is killed in between, the row is left and its bridge is made on next use.
 */
export function createNetwork(ctx: NetCtx, opts: CreateNetworkOptions): NetworkRecord {
  validateName('network', opts.name);
  if (RESERVED.has(opts.name)) throw invalid('network.reserved_name', `network name ${opts.name} is reserved`);
  return createNetworkRow(ctx, opts, false);
}

function createNetworkRow(ctx: NetCtx, opts: CreateNetworkOptions, isDefault: boolean): NetworkRecord {
  // Parse before taking the lock: bad input fails fast and alone.
  const given = opts.subnet === undefined ? undefined : parseCidr(opts.subnet);
  if (given) validateSubnet(given, opts.subnet!);
  if (opts.gateway !== undefined && !given) throw invalid('network.gateway_without_subnet', `--gateway ${opts.gateway} needs --subnet`);
  const range = opts.ipRange === undefined ? undefined : parseCidr(opts.ipRange);
  if (range && !given) throw invalid('network.range_without_subnet', `--ip-range ${opts.ipRange} needs --subnet`);
  if (range && given && (range.prefix < given.prefix || !cidrContains(given, range.network))) {
    throw invalid('network.range_outside', `--ip-range ${opts.ipRange} is not inside subnet ${formatCidr(given)}`);
  }
  const gateway = given ? chooseGateway(given, opts.gateway) : undefined;
  // Two berth roots may pick the same free subnet at the same moment (each root's lock is its
  // own file): after making the bridge, each checks that no other device routes its subnet,
  // and the loser undoes and picks again after a random pause.
  for (let attempt = 1;; attempt++) {
    try {
      return createNetworkOnce(ctx, opts, { isDefault, given, range, gateway });
    } catch (e) {
      if (!(e instanceof SubnetRace) || attempt >= 5) throw e instanceof SubnetRace ? conflict('network.subnet_overlap', e.message) : e;
      sleepMs(10 + Math.floor(Math.random() * 90));
    }
  }
}

class SubnetRace extends Error {}

function createNetworkOnce(
  ctx: NetCtx,
  opts: CreateNetworkOptions,
  p: { isDefault: boolean; given: Cidr | undefined; range: Cidr | undefined; gateway: number | undefined },
): NetworkRecord {
  const { isDefault, given, range, gateway } = p;
  const routes = parseRoutes(hostRoutes());
  const id = newId();
  // A bridge is named from its network id (names.ts). A fixed name for the default network
  // (ctx.defaultBridge) is used only while no other berth root on this host holds it, since
  // bridge names are host-wide; otherwise it gets a name of its own like any network.
  const wanted = isDefault && ctx.defaultBridge ? ctx.defaultBridge : bridgeName(id, isDefault);
  const bridge = isDefault && linkExists(wanted) ? bridgeName(id, false) : wanted;
  // The row is committed before the bridge is made, and the bridge is deleted before the row:
  // a berth killed at any moment leaves a row, which names its bridge (names.ts), so the next
  // command (or `system check`) finds and finishes the work; never a bridge nobody knows.
  const record = ctx.store.transaction(() => {
    if (ctx.store.network(opts.name)) throw exists('network.exists', `network ${opts.name} already exists`);
    const others = ctx.store.networks().map((r) => ({ name: r.name, cidr: parseCidr(r.subnet) }));
    let subnet: Cidr;
    if (given) {
      const clash = others.find((o) => cidrsOverlap(o.cidr, given));
      if (clash) throw conflict('network.subnet_overlap', `subnet ${formatCidr(given)} overlaps network ${clash.name} (${formatCidr(clash.cidr)})`);
      const route = routes.find((r) => cidrsOverlap(r, given));
      if (route) throw conflict('network.subnet_overlap', `subnet ${formatCidr(given)} overlaps the host route ${formatCidr(route)}`);
      subnet = given;
    } else {
      const pools = (ctx.pools ?? DEFAULT_POOLS).map(parseCidr);
      const picked = pickSubnet(pools, [...others.map((o) => o.cidr), ...routes]);
      if (!picked) throw unavailable('network.pool_exhausted', `no free /24 subnet left in ${pools.map(formatCidr).join(', ')}`, 'give one with --subnet');
      subnet = picked;
    }
    if (linkExists(bridge)) throw conflict('network.bridge_exists', `a link named ${bridge} already exists on the host`, 'another berth root may own it');
    const row: NetworkRow = {
      name: opts.name,
      id,
      bridge,
      subnet: formatCidr(subnet),
      gateway: formatIPv4(gateway ?? subnet.network + 1),
      ip_range: range ? formatCidr(range) : null,
      internal: opts.internal ? 1 : 0,
      labels: JSON.stringify(opts.labels ?? {}),
      created_at: new Date().toISOString(),
    };
    if (!ctx.store.insertNetwork(row)) throw exists('network.exists', `network ${opts.name} already exists`);
    return toRecord(row);
  });
  step('netcreate.recorded');
  let rulesAdded = false;
  try {
    const prefix = Number(record.subnet.split('/')[1]);
    ensureBridgeLink(record.bridge, `${record.gateway}/${prefix}`, bridgeMac(record.id), bridgeOwnerMark(ctx.paths.root));
    step('netcreate.bridge');
    // Checked before any nftables element is added: those are keyed by subnet, and a loser
    // undoing them would undo the winner's.
    const subnet = parseCidr(record.subnet);
    const rival = parseRoutesWithDev(hostRoutes()).find((r) => r.dev !== bridge && cidrsOverlap(r.cidr, subnet));
    if (rival) throw new SubnetRace(`subnet ${record.subnet} is also routed to ${rival.dev ?? 'another device'} (${formatCidr(rival.cidr)})`);
    rulesAdded = true;
    addNetworkRules({ bridge: record.bridge, subnet: record.subnet, internal: record.internal });
    step('netcreate.rules');
  } catch (e) {
    deleteLink(record.bridge);
    if (rulesAdded) removeNetworkRules(record);
    ctx.store.transaction(() => ctx.store.deleteNetwork(record.name));
    throw e;
  }
  return record;
}

/** The network `run` attaches to when no --network is given, created on first use. */
export function ensureDefaultNetwork(ctx: NetCtx): NetworkRecord {
  const row = ctx.store.network(DEFAULT_NETWORK);
  if (row) return toRecord(row);
  try {
    return createNetworkRow(ctx, { name: DEFAULT_NETWORK }, true);
  } catch (e) {
    // A parallel berth created it between our read and our write.
    const again = ctx.store.network(DEFAULT_NETWORK);
    if (again) return toRecord(again);
    throw e;
  }
}

/** Makes the bridge, its gateway address and its nftables elements if any is missing. */
export function ensureBridge(ctx: Pick<NetCtx, 'paths'>, net: Pick<NetworkRecord, 'id' | 'bridge' | 'subnet' | 'gateway' | 'internal'>): void {
  const prefix = net.subnet.split('/')[1]!;
  ensureBridgeLink(net.bridge, `${net.gateway}/${prefix}`, bridgeMac(net.id), bridgeOwnerMark(ctx.paths.root));
  addNetworkRules({ bridge: net.bridge, subnet: net.subnet, internal: net.internal });
}

function destroyBridge(_ctx: NetCtx, net: { bridge: string; subnet: string; internal: boolean }): void {
  deleteLink(net.bridge);
  removeNetworkRules(net);
}

export interface NetworkContainer {
  Name: string;
  EndpointID: string;
  MacAddress: string;
  IPv4Address: string;
  IPv6Address: string;
}

/** Docker's `network inspect` document. */
export function inspectNetwork(ctx: NetCtx, nameOrId: string): Record<string, unknown> {
  const net = getNetwork(ctx, nameOrId);
  const prefix = net.subnet.split('/')[1]!;
  const containers: Record<string, NetworkContainer> = {};
  for (const ep of ctx.store.endpointsOn(net.name)) {
    containers[ep.container_id] = {
      Name: ctx.store.containerName(ep.container_id) ?? '',
      EndpointID: `${ep.container_id.slice(0, 32)}${net.id.slice(0, 32)}`,
      MacAddress: ep.mac ?? '',
      IPv4Address: ep.ip ? `${ep.ip}/${prefix}` : '',
      IPv6Address: '',
    };
  }
  return {
    Name: net.name,
    Id: net.id,
    Created: net.createdAt,
    Scope: 'local',
    Driver: 'bridge',
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: net.subnet, Gateway: net.gateway, ...(net.ipRange ? { IPRange: net.ipRange } : {}) }] },
    Internal: net.internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: { 'com.docker.network.bridge.name': net.bridge },
    Labels: net.labels,
  };
}

/**
 * Removes a network. Refused while any container (running or not) has an endpoint on it;
 * with force, those endpoints are disconnected first (their veths deleted if running).
 */
export function removeNetwork(ctx: NetCtx, nameOrId: string, opts: { force?: boolean } = {}): NetworkRecord {
  const net = ctx.store.transaction(() => {
    const n = getNetwork(ctx, nameOrId);
    if (n.name === DEFAULT_NETWORK && nameOrId !== DEFAULT_NETWORK) {
      // An id (or a prefix of one) names it by accident far more often than on purpose.
      throw invalid('network.default', `network ${nameOrId} is the default network ${DEFAULT_NETWORK} and cannot be removed by its id`,
        `to remove it anyway, name it: berth network rm ${DEFAULT_NETWORK}`);
    }
    const eps = ctx.store.endpointsOn(n.name);
    if (eps.length > 0 && !opts.force) {
      const names = eps.map((e) => ctx.store.containerName(e.container_id) ?? e.container_id.slice(0, 12));
      throw conflict('network.in_use', `network ${n.name} is in use by container(s) ${names.join(', ')}`, 'disconnect them first, or use -f');
    }
    for (const ep of eps) {
      if (netnsExists(netnsName(ep.container_id))) deleteLink(hostVethName(ep.container_id, ifIndexOf(ep.ifname)));
    }
    step('netrm.endpoints');
    // The bridge goes before its row (see createNetworkOnce): killed in between, the row is left.
    destroyBridge(ctx, n);
    step('netrm.bridge');
    ctx.store.deleteEndpointsOn(n.name);
    ctx.store.deleteNetwork(n.name);
    return { n, running: eps.map((e) => e.container_id).filter((id) => netnsExists(netnsName(id))) };
  });
  // Running containers that were disconnected by force: their port rules may have pointed at
  // the address they just lost, and their names must leave that network's DNS.
  for (const id of net.running) applyPorts(ctx, id);
  if (net.running.length > 0) refreshDns(ctx);
  return net.n;
}

/** Removes every network without endpoints, the default one excepted (as Docker keeps its own). */
export function pruneNetworks(ctx: NetCtx): string[] {
  const removed: string[] = [];
  for (const net of listNetworks(ctx)) {
    if (net.name === DEFAULT_NETWORK) continue;
    if (ctx.store.endpointsOn(net.name).length > 0) continue;
    try {
      removeNetwork(ctx, net.name);
      removed.push(net.name);
    } catch (e) {
      // A container attached in between: that network is no longer prunable, the others are.
      if (!(e instanceof Error && 'code' in e && e.code === 'network.in_use')) throw e;
    }
  }
  return removed;
}
