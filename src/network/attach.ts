// The seam the engine calls to give a container its network, in four moments:
//   create: planEndpoints (+ publishPorts)     — records only, static addresses reserved
//   start:  setUpContainerNetwork              — namespace, veths, addresses, NAT, DNS
//           (or makeContainerNetns first, alone, and the rest while the runtime creates)
//   stop:   tearDownContainerNetwork           — all kernel objects gone, dynamic addresses freed
//   rm:     releaseContainerNetwork            — the records go too
// Every kernel name is derived from the container id (names.ts), so tear-down works after a
// crash or kill -9 with nothing but the id.
import { step } from '../common/fault.js';
import { notFound } from '../common/errors.js';
import type { NetCtx } from './context.js';
import { refreshDns } from './dns.js';
import { addNetnsAsync, deleteLink, deleteNetns, enableForwarding, ipBatch, ipBatchWithBridges, linkExists, listLinks, netnsExists } from './kernel.js';
import { bridgeMac, bridgeOwnerMark, hostVethName, hostVethPrefix, ifIndexOf, netnsName, netnsPath, portChainName } from './names.js';
import { ensureBridge, getNetwork, type NetworkRecord } from './networks.js';
import { addNetworksAndPorts, listPortChains, removePortRules } from './nft.js';
import { applyPorts, portRules } from './ports.js';
import type { EndpointRow } from './store.js';
import { allocateAddresses, containerEndpoints, label, planEndpoints, prefixLen, type EndpointInfo } from './endpoints.js';
import { type DnsConfig, rewriteResolvConf, writeNetFiles } from './netfiles.js';
// The seam's other moments live beside it; the engine and the tests reach them all here.
export { allocateAddresses, containerEndpoints, planEndpoints } from './endpoints.js';
export type { EndpointInfo, EndpointRequest } from './endpoints.js';
export { hostsFileText, resolvConfText } from './netfiles.js';
export { containerPorts, publishPorts } from './publish.js';
export type { PortBinding } from './publish.js';

export interface NetworkSetup {
  netnsPath: string;
  hostsFile: string;
  resolvConf: string;
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

/** Leftovers of a start that was killed half way: after this the container has no namespace, veth, port chain or jump. */
function clearLeftovers(ctx: NetCtx, containerId: string): void {
  if (netnsExists(netnsName(containerId)) || listLinks(hostVethPrefix(containerId)).length > 0) tearDownContainerNetwork(ctx, containerId);
}

/**
 * The first part of a start's network, alone: the empty namespace the runtime is to join, made
 * by a program that runs while berth goes on (mounting the rootfs, writing the bundle). The rest
 * (setUpContainerNetwork with `nsMade`) can be done while the runtime creates the container,
 * since its process runs nothing before the runtime's start. Its path, known at once, and when
 * it is made; a caller that gives up must wait for `ready` before it tears the namespace down.
 */
export function makeContainerNetns(ctx: NetCtx, containerId: string): { path: string; ready: Promise<void> } {
  clearLeftovers(ctx, containerId);
  const ns = netnsName(containerId);
  const ready = addNetnsAsync(ns).catch((e: unknown) => {
    // `ip netns add` can leave its mount point behind when it fails half way.
    deleteNetns(ns);
    throw e;
  });
  return { path: netnsPath(containerId), ready };
}

/**
 * At start: builds the container's network from its records and returns what the runtime
 * needs (the namespace to join, the files to bind-mount on /etc/hosts and /etc/resolv.conf).
 * The files are written in place: the runtime may have bound them already (`nsMade`, or `pid`).
 * With `nsMade`, the namespace is makeContainerNetns's, and on failure the caller tears it all
 * down (tearDownContainerNetwork) once the runtime's create that joins it has finished: deleting
 * it under that create would fail it with a misleading reason. Otherwise everything made so far
 * is undone here.
 */
export async function setUpContainerNetwork(ctx: NetCtx, containerId: string,
  opts: { hostname: string; name: string; pid?: number; nsMade?: boolean; dns?: DnsConfig }): Promise<NetworkSetup>
{
  const ns = netnsName(containerId);
  // Which lets the nftables part below be one plain transaction.
  if (!opts.nsMade) clearLeftovers(ctx, containerId);
  try {
    const eps = allocateAddresses(ctx, containerId);
    const nets = [...new Map(eps.map((e) => [e.net.name, e.net])).values()];
    if (eps.length > 0) enableForwarding();
    // Three processes in all: bridges, namespace and veths in one `ip -batch`, the inside of
    // the namespace in another, then one `nft -f` for the networks' elements and the ports.
    ipBatchWithBridges(
      nets.map((n) => ({ bridge: n.bridge, gatewayCidr: `${n.gateway}/${prefixLen(n)}`, mac: bridgeMac(n.id), owner: bridgeOwnerMark(ctx.paths.root) })),
      // With a pid, the namespace is that process's own (a container in a user namespace must
      // have one its namespace owns): it is named, not made.
      [...(opts.nsMade ? [] : [opts.pid === undefined ? `netns add ${ns}` : `netns attach ${ns} ${opts.pid}`]), ...eps.flatMap(({ ep, net }) =>
        vethLines(containerId, ep, net)
      )],
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
    if (opts.nsMade) throw e;
    try {
      tearDownContainerNetwork(ctx, containerId);
    } catch {
      // The original error is the one to report; reconcile retries the tear-down.
    }
    throw e;
  }
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
