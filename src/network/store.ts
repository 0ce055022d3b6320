// What network/ needs from the instances file, as network/ sees it. The engine hands in an
// implementation (state/ has one); network/ never opens the file or writes SQL. The row shapes
// are the tables' own: network/ turns them into NetworkRecord, EndpointInfo and PortBinding.
//
// Contract: every method acts on the caller's transaction when it runs inside transaction(),
// so a read-then-write (is the address free? take it) cannot race another berth. Example:
//   ctx.store.transaction(() => {
//     if (ctx.store.addressTaken('back', '10.77.0.10')) throw addressInUse(...);
//     ctx.store.insertEndpoint({ container_id: id, network: 'back', ifname: 'eth0', ip: '10.77.0.10', ... });
//   });
import type { NetworkRow, EndpointRow, PortRow } from '../common/rows.js';
export type { NetworkRow, EndpointRow, PortRow } from '../common/rows.js';

export interface NetworkStore {
  /** Runs fn in one write transaction; nested calls join the caller's (as savepoints). */
  transaction<T>(fn: () => T): T;

  network(name: string): NetworkRow | undefined;
  /** Oldest first. */
  networks(): NetworkRow[];
  /** False when the name, id or bridge is taken. */
  insertNetwork(row: NetworkRow): boolean;
  deleteNetwork(name: string): void;

  /** In no particular order. */
  endpointsOf(containerId: string): EndpointRow[];
  endpointsOn(network: string): EndpointRow[];
  /** Every endpoint that holds an address, grouped by container. */
  addressedEndpoints(): EndpointRow[];
  addressTaken(network: string, ip: string): boolean;
  addressesOn(network: string): string[];
  /** False when the address is already held on that network. */
  insertEndpoint(row: EndpointRow): boolean;
  setEndpointAddress(containerId: string, network: string, ip: string): void;
  /** Dynamic addresses back to the pool; static ones stay. */
  releaseDynamicAddresses(containerId: string): void;
  holdsDynamicAddress(containerId: string): boolean;
  containersWithEndpoints(): string[];
  /** The container's addresses on non-internal networks, with their interface names. */
  routedAddresses(containerId: string): Array<{ ip: string; ifname: string }>;
  deleteEndpoint(containerId: string, network: string): void;
  deleteEndpointsOf(containerId: string): void;
  deleteEndpointsOn(network: string): void;

  /** Ordered by host port, then protocol. */
  portsOf(containerId: string): PortRow[];
  /** Who publishes the host port: undefined when nobody; name null when the container's record is gone. */
  portPublisher(hostPort: number, proto: string): { name: string | null } | undefined;
  /** False when the host port is already published for that protocol. */
  insertPort(row: PortRow): boolean;
  deletePortsOf(containerId: string): void;

  containerName(containerId: string): string | undefined;
}

/** A container's endpoints in interface order (eth0 first: it carries the default route). */
export function endpointsInOrder(store: NetworkStore, containerId: string): EndpointRow[] {
  return store.endpointsOf(containerId).sort((a, b) => ifnum(a.ifname) - ifnum(b.ifname));
}

function ifnum(ifname: string): number {
  return Number(ifname.replace(/^eth/, ''));
}
