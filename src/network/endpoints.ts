// A container's endpoints on its networks: planned at create (static addresses reserved), given
// addresses at start, and described for ps and inspect. Records only: no kernel object here.
import { conflict, unavailable } from '../common/errors.js';
import type { NetCtx } from './context.js';
import { checkStaticAddress, formatIPv4, nextFreeAddress, parseCidr, parseIPv4, type AddressPool } from './ipam.js';
import { ifIndexOf, randomMac } from './names.js';
import { getNetwork, type NetworkRecord } from './networks.js';
import { endpointsInOrder, type EndpointRow } from './store.js';

export interface EndpointRequest {
  network: string;
  ip?: string;
  aliases?: string[];
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

export function label(ctx: NetCtx, containerId: string): string {
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

export function prefixLen(net: NetworkRecord): number {
  return Number(net.subnet.split('/')[1]);
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
