// Published ports of a running container as nftables DNAT rules, recomputed from the records.
import type { NetCtx } from './context.js';
import { netnsExists } from './kernel.js';
import { netnsName, portChainName } from './names.js';
import { removePortRules, setPortRules } from './nft.js';
import type { PortRule } from './nft.js';
import type { Proto } from './portspec.js';

/**
 * Points the container's port chain at its first address on a routed (non-internal)
 * network, or removes the chain when there is nothing to publish or the container is down.
 */
export function applyPorts(ctx: NetCtx, containerId: string): void {
  const chain = portChainName(containerId);
  const ports = ctx.store.portsOf(containerId);
  // A chain exists only for a container with ports (tear-down and reconcile remove strays).
  if (ports.length === 0) return;
  const rules = portRules(ctx, containerId);
  if (rules === undefined) {
    removePortRules(chain);
    return;
  }
  setPortRules(chain, rules);
}

/**
 * The DNAT rules the container's published ports need now; undefined when it publishes
 * nothing reachable (no routed network, or its namespace is gone).
 */
export function portRules(ctx: NetCtx, containerId: string): PortRule[] | undefined {
  const ports = ctx.store.portsOf(containerId);
  if (ports.length === 0) return undefined;
  const target = ctx.store.routedAddresses(containerId);
  target.sort((a, b) => Number(a.ifname.slice(3)) - Number(b.ifname.slice(3)));
  const ip = target[0]?.ip;
  if (ip === undefined || !netnsExists(netnsName(containerId))) return undefined;
  return ports.map((p) => ({
    hostIp: p.host_ip,
    hostPort: p.host_port,
    proto: p.proto as Proto,
    containerIp: ip,
    containerPort: p.container_port,
  }));
}
