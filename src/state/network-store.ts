// The instances file as network/ asks for it (network/store.ts's NetworkStore, matched by
// shape: state/ does not import network/). The engine builds one per command and hands it in.
import type { Db } from './db.js';
import { tx } from './db.js';
import { containerNameOf } from './containers.js';
import * as ep from './endpoints.js';
import { allNetworkRows, deleteNetworkRow, getNetworkRow, insertNetworkRow, type NetworkRow } from './networks.js';
import { deletePortsOfContainer, insertPortRow, portPublisher, portsOfContainer, type PortRow } from './ports.js';

export function networkStore(db: Db) {
  return {
    transaction: <T>(fn: () => T): T => tx(db, fn),
    network: (name: string) => getNetworkRow(db, name),
    networks: () => allNetworkRows(db),
    insertNetwork: (row: NetworkRow) => insertNetworkRow(db, row),
    deleteNetwork: (name: string) => deleteNetworkRow(db, name),
    endpointsOf: (containerId: string) => ep.endpointsOfContainer(db, containerId),
    endpointsOn: (network: string) => ep.endpointsOnNetwork(db, network),
    addressedEndpoints: () => ep.addressedEndpoints(db),
    addressTaken: (network: string, ip: string) => ep.addressTaken(db, network, ip),
    addressesOn: (network: string) => ep.addressesOnNetwork(db, network),
    insertEndpoint: (row: ep.EndpointRow) => ep.insertEndpointRow(db, row),
    setEndpointAddress: (containerId: string, network: string, ip: string) => ep.setEndpointAddress(db, containerId, network, ip),
    releaseDynamicAddresses: (containerId: string) => ep.releaseDynamicAddresses(db, containerId),
    holdsDynamicAddress: (containerId: string) => ep.holdsDynamicAddress(db, containerId),
    containersWithEndpoints: () => ep.containersWithEndpoints(db),
    routedAddresses: (containerId: string) => ep.routedAddresses(db, containerId),
    deleteEndpoint: (containerId: string, network: string) => ep.deleteEndpoint(db, containerId, network),
    deleteEndpointsOf: (containerId: string) => ep.deleteEndpointsOfContainer(db, containerId),
    deleteEndpointsOn: (network: string) => ep.deleteEndpointsOnNetwork(db, network),
    portsOf: (containerId: string) => portsOfContainer(db, containerId),
    portPublisher: (hostPort: number, proto: string) => portPublisher(db, hostPort, proto),
    insertPort: (row: PortRow) => insertPortRow(db, row),
    deletePortsOf: (containerId: string) => deletePortsOfContainer(db, containerId),
    containerName: (containerId: string) => containerNameOf(db, containerId),
  };
}
