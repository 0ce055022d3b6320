// The seam the engine calls to give a container its network, in four moments:
//   create: planEndpoints (+ publishPorts)     — records only, static addresses reserved
//   start:  setUpContainerNetwork              — namespace, veths, addresses, NAT, DNS
//   stop:   tearDownContainerNetwork           — all kernel objects gone, dynamic addresses freed
//   rm:     releaseContainerNetwork            — the records go too
// Every kernel name is derived from the container id (names.ts), so tear-down works after a
// crash or kill -9 with nothing but the id.
import { step } from '../common/fault.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { conflict, notFound, unavailable } from '../common/errors.js';
import { writeFileAtomic } from '../sys/atomic.js';
import type { NetCtx } from './context.js';
import { dnsAvailable, refreshDns } from './dns.js';
import { checkStaticAddress, formatIPv4, nextFreeAddress, parseCidr, parseIPv4 } from './ipam.js';
import type { AddressPool } from './ipam.js';
import { deleteLink, deleteNetns, enableForwarding, ipBatch, ipBatchWithBridges, linkExists, listLinks, netnsExists } from './kernel.js';
import { bridgeMac, bridgeOwnerMark, DEFAULT_NETWORK, hostVethName, hostVethPrefix, ifIndexOf, netnsName, netnsPath, portChainName,
  randomMac } from './names.js';
import { ensureBridge, getNetwork } from './networks.js';
import type { NetworkRecord } from './networks.js';
import { addNetworksAndPorts, listPortChains, removePortRules } from './nft.js';
import { applyPorts, portRules } from './ports.js';
import { exposedToSpecs, hostBoundPorts, parsePortSpec } from './portspec.js';
import type { PortSpec, Proto } from './portspec.js';
import { endpointsInOrder } from './store.js';
import type { EndpointRow } from './store.js';

export interface EndpointRequest {
  network: string;
  ip?: string;
  aliases?: string[];
}

export interface NetworkSetup {
  netnsPath: string;
  hostsFile: string;
  resolvConf: string;
}

/** One interface of a container, as `ps` and `inspect` show it. */
export interface EndpointInfo {
  network: string;
  networkId: string;
  ifname: string;
  /** Null while the container is stopped and its address is dynamic. */
  ip: string | null;
  prefixLen: number;
  gateway: string;
  mac: string;
  aliases: string[];
  staticIp: boolean;
}

export interface PortBinding {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  proto: Proto;
}

const poolOf = (net: NetworkRecord): AddressPool => ({
  subnet: parseCidr(net.subnet),
  range: net.ipRange ? parseCidr(net.ipRange) : undefined,
  gateway: parseIPv4(net.gateway),
});

function addressInUse(ip: string, net: string) {
  return conflict('network.address_in_use', `address ${ip} is already in use on network ${net}`);
}

function insertEndpoint(ctx: NetCtx, containerId: string, net: NetworkRecord, ifname: string, req: EndpointRequest): void {
  let ip: string | null = null;
  if (req.ip !== undefined) {
    ip = formatIPv4(checkStaticAddress(poolOf(net), req.ip, net.name));
    if (ctx.store.addressTaken(net.name, ip)) throw addressInUse(ip, net.name);
  }
  const row = { container_id: containerId, network: net.name, ifname, ip, static_ip: ip === null ? 0 : 1, mac: randomMac(),
    aliases: JSON.stringify(req.aliases ?? []) };
  if (!ctx.store.insertEndpoint(row)) throw addressInUse(ip ?? '', net.name);
}

function nextIfIndex(eps: readonly EndpointRow[]): number {
  const used = new Set(eps.map((e) => ifIndexOf(e.ifname)));
  let i = 0;
  while (used.has(i)) i++;
  return i;
}

/**
 * At create: records one endpoint per request (eth0, eth1, … in order; the first carries the
 * default route) and reserves static addresses. All or nothing.
 */
export function planEndpoints(ctx: NetCtx, containerId: string, requests: readonly EndpointRequest[]): void {
  ctx.store.transaction(() => {
    const eps = endpointsInOrder(ctx.store, containerId);
    const seen = new Set(eps.map((e) => e.network));
    for (const req of requests) {
      const net = getNetwork(ctx, req.network);
      if (seen.has(net.name)) throw conflict('network.already_connected', `container ${label(ctx, containerId)} is already connected to network ${net.name}`);
      seen.add(net.name);
      insertEndpoint(ctx, containerId, net, `eth${nextIfIndex(ctx.store.endpointsOf(containerId))}`, req);
    }
  });
}

function label(ctx: NetCtx, containerId: string): string {
  return ctx.store.containerName(containerId) ?? containerId.slice(0, 12);
}

/**
 * Gives every endpoint without an address the lowest free one. The write lock makes parallel
 * starts take turns; UNIQUE(network, ip) is the backstop.
 */
export function allocateAddresses(ctx: NetCtx, containerId: string): Array<{ ep: EndpointRow & { ip: string }; net: NetworkRecord }> {
  return ctx.store.transaction(() => {
    const out: Array<{ ep: EndpointRow & { ip: string }; net: NetworkRecord }> = [];
    for (const ep of endpointsInOrder(ctx.store, containerId)) {
      const net = getNetwork(ctx, ep.network);
      let ip = ep.ip;
      if (ip === null) {
        const taken = new Set(ctx.store.addressesOn(net.name).map(parseIPv4));
        const n = nextFreeAddress(poolOf(net), taken);
        if (n === undefined) throw unavailable('network.exhausted', `network ${net.name} has no free address left`);
        ip = formatIPv4(n);
        ctx.store.setEndpointAddress(containerId, net.name, ip);
      }
      out.push({ ep: { ...ep, ip }, net });
    }
    return out;
  });
}

function prefixLen(net: NetworkRecord): number {
  return Number(net.subnet.split('/')[1]);
}

/** Host-side commands making one endpoint's veth pair with its peer already in the namespace. */
function vethLines(containerId: string, ep: EndpointRow, net: NetworkRecord): string[] {
  const hv = hostVethName(containerId, ifIndexOf(ep.ifname));
  return [
    `link add ${hv} type veth peer name ${ep.ifname}${ep.mac ? ` address ${ep.mac}` : ''} netns ${netnsName(containerId)}`,
    `link set ${hv} master ${net.bridge} up`,
  ];
}

function insideLines(ep: EndpointRow & { ip: string }, net: NetworkRecord): string[] {
  return [`addr add ${ep.ip}/${prefixLen(net)} dev ${ep.ifname}`, `link set ${ep.ifname} up`];
}

/**
 * At start: builds the container's network from its records and returns what the runtime
 * needs (the namespace to join, the files to bind-mount on /etc/hosts and /etc/resolv.conf).
 * On failure everything made so far is undone.
 */
export async function setUpContainerNetwork(ctx: NetCtx, containerId: string, opts: { hostname: string; name: string }): Promise<NetworkSetup> {
  const ns = netnsName(containerId);
  // Leftovers of a start that was killed half way; after this the container has no namespace,
  // veth, port chain or jump, which lets the nftables part below be one plain transaction.
  if (netnsExists(ns) || listLinks(hostVethPrefix(containerId)).length > 0) tearDownContainerNetwork(ctx, containerId);
  try {
    const eps = allocateAddresses(ctx, containerId);
    const nets = [...new Map(eps.map((e) => [e.net.name, e.net])).values()];
    if (eps.length > 0) enableForwarding();
    // Three processes in all: bridges, namespace and veths in one `ip -batch`, the inside of
    // the namespace in another, then one `nft -f` for the networks' elements and the ports.
    ipBatchWithBridges(
      nets.map((n) => ({ bridge: n.bridge, gatewayCidr: `${n.gateway}/${prefixLen(n)}`, mac: bridgeMac(n.id), owner: bridgeOwnerMark(ctx.paths.root) })),
      [`netns add ${ns}`, ...eps.flatMap(({ ep, net }) => vethLines(containerId, ep, net))],
    );
    const inside = ['link set lo up', ...eps.flatMap(({ ep, net }) => insideLines(ep, net))];
    const routed = eps.find((e) => !e.net.internal);
    if (routed) inside.push(`route add default via ${routed.net.gateway} dev ${routed.ep.ifname}`);
    ipBatch(inside, { netns: ns });
    const rules = portRules(ctx, containerId);
    addNetworksAndPorts(
      nets.map((n) => ({ bridge: n.bridge, subnet: n.subnet, internal: n.internal })),
      rules && { chain: portChainName(containerId), rules },
    );
    const files = writeNetFiles(ctx, containerId, opts, eps);
    refreshDns(ctx);
    return { netnsPath: netnsPath(containerId), ...files };
  } catch (e) {
    try {
      tearDownContainerNetwork(ctx, containerId);
    } catch {
      // The original error is the one to report; reconcile retries the tear-down.
    }
    throw e;
  }
}

function runDir(ctx: NetCtx, containerId: string): string {
  return join(ctx.paths.runroot, 'containers', containerId);
}

/** Docker keeps the host's servers for containers without a DNS server of their own, minus loopback ones. */
function hostResolvConf(): string {
  let text = '';
  try {
    text = readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
  return text
    .split('\n')
    .filter((l) => !/^\s*nameserver\s+(127\.|::1)/.test(l))
    .join('\n');
}

export function hostsFileText(hostname: string, name: string, ip: string | undefined): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  const names = [...new Set([hostname, name])].join(' ');
  lines.push(`${ip ?? '127.0.1.1'}\t${names}`);
  return lines.join('\n') + '\n';
}

export function resolvConfText(gateways: readonly string[], fallback: string): string {
  if (gateways.length === 0) return fallback.endsWith('\n') || fallback === '' ? fallback : `${fallback}\n`;
  return [...new Set(gateways)].map((g) => `nameserver ${g}`).join('\n') + '\n';
}

function writeNetFiles(
  ctx: NetCtx,
  containerId: string,
  opts: { hostname: string; name: string },
  eps: ReadonlyArray<{ ep: EndpointRow & { ip: string }; net: NetworkRecord }>,
): { hostsFile: string; resolvConf: string } {
  const dir = runDir(ctx, containerId);
  mkdirSync(dir, { recursive: true });
  const hostsFile = join(dir, 'hosts');
  const resolvConf = join(dir, 'resolv.conf');
  writeFileAtomic(hostsFile, hostsFileText(opts.hostname, opts.name, eps[0]?.ep.ip));
  // The DNS server listens on each network's gateway (dns.ts); the first network's comes first.
  writeFileAtomic(resolvConf,
    resolvConfText(dnsAvailable() ? eps.filter((e) => e.net.name !== DEFAULT_NETWORK).map((e) => e.net.gateway) : [], hostResolvConf()));
  return { hostsFile, resolvConf };
}

/**
 * For a running container whose networks changed: resolv.conf is bind-mounted, so it is
 * rewritten in place (same inode; a renamed file would not be seen through the mount).
 */
function rewriteResolvConf(ctx: NetCtx, containerId: string): void {
  const path = join(runDir(ctx, containerId), 'resolv.conf');
  if (!existsSync(path)) return;
  const gateways = containerEndpoints(ctx, containerId).filter((e) => e.ip !== null && e.network !== DEFAULT_NETWORK).map((e) => e.gateway);
  writeFileSync(path, resolvConfText(dnsAvailable() ? gateways : [], hostResolvConf()));
}

/**
 * At stop (and after a crash): deletes the container's veths, namespace and port rules and
 * releases its dynamic addresses; static ones stay reserved. Idempotent. Every step is tried;
 * the first failure is thrown at the end.
 */
export function tearDownContainerNetwork(ctx: NetCtx, containerId: string, opts: { sweep?: boolean } = {}): void {
  const errors: unknown[] = [];
  const step = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      errors.push(e);
    }
  };
  // Host veths first: deleting one deletes its peer at once, whereas a namespace's own
  // devices are destroyed asynchronously after `ip netns del`.
  // The names follow from the endpoints, which saves listing every link on the host; a sweep
  // (reconcile) lists them instead, to catch strays.
  // One `ip -force -batch` for both: -force goes on past a line that fails.
  step(() => {
    const links = opts.sweep
      ? listLinks(hostVethPrefix(containerId))
      : ctx.store.endpointsOf(containerId).map((ep) => hostVethName(containerId, ifIndexOf(ep.ifname))).filter(linkExists);
    const ns = netnsName(containerId);
    const lines = [...links.map((l) => `link del ${l}`), ...(netnsExists(ns) ? [`netns del ${ns}`] : [])];
    if (lines.length > 0) ipBatch(lines, { force: true });
  });
  // Checked on its own: the namespace must be gone even if a veth line above failed.
  step(() => deleteNetns(netnsName(containerId)));
  // Only a container with published ports ever has a chain; reconcile sweeps any other stray.
  step(() => {
    if (opts.sweep || ctx.store.portsOf(containerId).length > 0) removePortRules(portChainName(containerId));
  });
  step(() => {
    ctx.store.transaction(() => ctx.store.releaseDynamicAddresses(containerId));
  });
  step(() => refreshDns(ctx));
  if (errors.length > 0) throw errors[0];
}

/** At rm: the kernel objects (if a crash left any) and then the records. */
export function releaseContainerNetwork(ctx: NetCtx, containerId: string, opts: { tornDown?: boolean } = {}): void {
  // A caller that has just torn the network down spares the second look (an nft listing).
  if (!opts.tornDown) tearDownContainerNetwork(ctx, containerId);
  ctx.store.transaction(() => {
    ctx.store.deleteEndpointsOf(containerId);
    ctx.store.deletePortsOf(containerId);
  });
}

/**
 * Attaches a container to one more network. For a running container the interface appears at
 * once (without a default route: that stays with the first network).
 */
export function connectNetwork(ctx: NetCtx, containerId: string, network: string, opts: { ip?: string; aliases?: string[] }, running: boolean): EndpointInfo {
  planEndpoints(ctx, containerId, [{ network, ...opts }]);
  step('connect.recorded');
  const net = getNetwork(ctx, network);
  if (running) {
    try {
      const eps = allocateAddresses(ctx, containerId);
      const mine = eps.find((e) => e.net.name === net.name)!;
      ensureBridge(ctx, net);
      enableForwarding();
      ipBatch(vethLines(containerId, mine.ep, net));
      ipBatch(insideLines(mine.ep, net), { netns: netnsName(containerId) });
      step('connect.veth');
      applyPorts(ctx, containerId);
      refreshDns(ctx);
      rewriteResolvConf(ctx, containerId);
      step('connect.ports');
    } catch (e) {
      const ep = ctx.store.endpointsOf(containerId).find((x) => x.network === net.name);
      if (ep) deleteLink(hostVethName(containerId, ifIndexOf(ep.ifname)));
      ctx.store.transaction(() => ctx.store.deleteEndpoint(containerId, net.name));
      throw e;
    }
  }
  return containerEndpoints(ctx, containerId).find((e) => e.network === net.name)!;
}

export function disconnectNetwork(ctx: NetCtx, containerId: string, network: string, running: boolean): void {
  const net = getNetwork(ctx, network);
  const ep = ctx.store.endpointsOf(containerId).find((e) => e.network === net.name);
  if (!ep) throw notFound('network.not_connected', `container ${label(ctx, containerId)} is not connected to network ${net.name}`);
  if (running) deleteLink(hostVethName(containerId, ifIndexOf(ep.ifname)));
  step('disconnect.unlinked');
  ctx.store.transaction(() => ctx.store.deleteEndpoint(containerId, net.name));
  step('disconnect.recorded');
  if (running) {
    applyPorts(ctx, containerId);
    refreshDns(ctx);
    rewriteResolvConf(ctx, containerId);
  }
}

const EPHEMERAL = { lo: 32768, hi: 60999 };

/**
 * At create: records published ports. `specs` are `-p` texts; for `-P` pass the image's
 * ExposedPorts keys ("80/tcp"), as an array or as { publishAll: true, exposedPorts }, each given a random host port unless `-p` already
 * maps it. A host port published by another container, or bound by another program, is
 * refused; all or nothing.
 */
export function publishPorts(
  ctx: NetCtx,
  containerId: string,
  specs: readonly string[],
  publishAll: readonly string[] | { publishAll?: boolean; exposedPorts?: readonly string[] } = [],
): PortBinding[] {
  const parsed: PortSpec[] = specs.map(parsePortSpec);
  const exposed = Array.isArray(publishAll) ? publishAll : (publishAll as { publishAll?: boolean; exposedPorts?: readonly string[] });
  const all: readonly string[] = Array.isArray(exposed) ? exposed : exposed.publishAll ? (exposed.exposedPorts ?? []) : [];
  for (const s of exposedToSpecs(all)) {
    if (!parsed.some((p) => p.containerPort === s.containerPort && p.proto === s.proto)) parsed.push(s);
  }
  return ctx.store.transaction(() => {
    const out: PortBinding[] = [];
    // Asked only for the protocols wanted, and not at all when nothing is published.
    const seen = new Map<Proto, Set<number>>();
    const bound = (proto: Proto) => seen.get(proto) ?? seen.set(proto, hostBoundPorts(proto)).get(proto)!;
    for (const s of parsed) {
      let port = s.hostPort;
      if (port === 0) {
        port = randomFreePort(s.proto, (p) => ctx.store.portPublisher(p, s.proto) !== undefined || bound(s.proto).has(p));
      } else {
        const row = ctx.store.portPublisher(port, s.proto);
        if (row) throw conflict('port.in_use', `host port ${port}/${s.proto} is already published by container ${row.name ?? '?'}`);
        if (bound(s.proto).has(port)) throw conflict('port.in_use', `host port ${port}/${s.proto} is already in use by another program`);
      }
      if (!ctx.store.insertPort({ container_id: containerId, host_ip: s.hostIp, host_port: port, container_port: s.containerPort, proto: s.proto })) {
        throw conflict('port.in_use', `host port ${port}/${s.proto} is published twice`);
      }
      out.push({ hostIp: s.hostIp, hostPort: port, containerPort: s.containerPort, proto: s.proto });
    }
    return out;
  });
}

function randomFreePort(proto: Proto, taken: (p: number) => boolean): number {
  const span = EPHEMERAL.hi - EPHEMERAL.lo + 1;
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const p = EPHEMERAL.lo + ((start + i) % span);
    if (!taken(p)) return p;
  }
  throw unavailable('port.exhausted', `no free host port left for ${proto}`);
}

export function containerPorts(ctx: NetCtx, containerId: string): PortBinding[] {
  return ctx.store.portsOf(containerId).map((p) => ({ hostIp: p.host_ip, hostPort: p.host_port, containerPort: p.container_port, proto: p.proto as Proto }));
}

export function containerEndpoints(ctx: NetCtx, containerId: string): EndpointInfo[] {
  return endpointsInOrder(ctx.store, containerId).map((ep) => {
    const net = getNetwork(ctx, ep.network);
    return {
      network: net.name,
      networkId: net.id,
      ifname: ep.ifname,
      ip: ep.ip,
      prefixLen: prefixLen(net),
      gateway: net.gateway,
      mac: ep.mac ?? '',
      aliases: JSON.parse(ep.aliases) as string[],
      staticIp: ep.static_ip !== 0,
    };
  });
}

/**
 * For reconcile: tears down what a crash left of containers of this root that are not running
 * (namespace, veths, port chain, dynamic addresses), then brings the DNS server in line.
 * Kernel objects of containers unknown to this root are left alone: they may be another root's.
 */
export function reconcileNetworks(ctx: NetCtx, isRunning: (containerId: string) => boolean): string[] {
  const cleaned: string[] = [];
  const ids = ctx.store.containersWithEndpoints();
  const chains = new Set(listPortChains());
  for (const id of ids) {
    if (isRunning(id)) continue;
    const leftover = netnsExists(netnsName(id)) || listLinks(hostVethPrefix(id)).length > 0 || chains.has(portChainName(id))
      || ctx.store.holdsDynamicAddress(id);
    if (!leftover) continue;
    tearDownContainerNetwork(ctx, id, { sweep: true });
    cleaned.push(id);
  }
  refreshDns(ctx);
  return cleaned;
}

/** True when the container's namespace exists (it was set up and not torn down). */
export function networkIsUp(containerId: string): boolean {
  return netnsExists(netnsName(containerId)) || linkExists(hostVethName(containerId, 0));
}
