// The network part's public face: the engine and the CLI import from here only.
export type { NetCtx } from './context.js';
export { DEFAULT_POOLS } from './context.js';
export type { NetworkRecord, CreateNetworkOptions } from './networks.js';
export {
  createNetwork, ensureDefaultNetwork, ensureBridge, getNetwork, listNetworks, inspectNetwork, removeNetwork, pruneNetworks,
} from './networks.js';
export type { EndpointRequest, NetworkSetup, EndpointInfo, PortBinding } from './attach.js';
export {
  planEndpoints, setUpContainerNetwork, tearDownContainerNetwork, releaseContainerNetwork, connectNetwork, disconnectNetwork,
  publishPorts, containerPorts, containerEndpoints, networkIsUp, allocateAddresses, reconcileNetworks,
} from './attach.js';
export { parsePortSpec } from './portspec.js';
export type { PortSpec } from './portspec.js';
export { listBerthKernelObjects } from './leak.js';
export type { BerthKernelObjects } from './leak.js';
export { DEFAULT_NETWORK, netnsName, netnsPath } from './names.js';
export { dnsRunning, stopDns } from './dns.js';
