// The network part's public face. How the engine drives a container's network:
//   create: planEndpoints(ctx, id, [{network, ip?, aliases?}]) and publishPorts(ctx, id, ['-p' specs], exposed?)
//           inside the transaction that inserts the container row (they nest as savepoints);
//           ensureDefaultNetwork(ctx) first when the container uses the network "berth".
//   start:  setUpContainerNetwork(ctx, id, {hostname, name}) → {netnsPath, hostsFile, resolvConf}, or
//           makeContainerNetns(ctx, id) → {path, ready} before the runtime, and the rest with
//           {nsMade: true} while the runtime creates the container
//   stop:   tearDownContainerNetwork(ctx, id)      (idempotent; also the undo of a failed start)
//   rm:     releaseContainerNetwork(ctx, id)       (tears down what is left, deletes the rows)
//   reconcile: reconcileNetworks(ctx, isRunning)   (after kill -9 or a reboot)
export type { EndpointRequest, NetworkSetup, EndpointInfo, PortBinding } from './attach.js';
export {
  planEndpoints,
  makeContainerNetns,
  setUpContainerNetwork,
  tearDownContainerNetwork,
  releaseContainerNetwork,
  connectNetwork,
  disconnectNetwork,
  publishPorts,
  containerPorts,
  containerEndpoints,
  networkIsUp,
  allocateAddresses,
  reconcileNetworks,
} from './attach.js';
export type { NetCtx } from './context.js';
export { DEFAULT_POOLS } from './context.js';
export { dnsRunning, stopDns } from './dns.js';
export { listBerthKernelObjects } from './leak.js';
export type { BerthKernelObjects } from './leak.js';
export { DEFAULT_NETWORK, netnsName, netnsPath } from './names.js';
export type { NetworkRecord, CreateNetworkOptions } from './networks.js';
export {
  createNetwork,
  ensureDefaultNetwork,
  ensureBridge,
  getNetwork,
  listNetworks,
  inspectNetwork,
  removeNetwork,
  pruneNetworks,
} from './networks.js';
export { parsePortSpec } from './portspec.js';
export type { PortSpec } from './portspec.js';
