// Network verbs that touch containers: connect and disconnect take the container's lock and
// know whether it is running; the rest pass straight to network/.
import { invalid } from '../common/errors.js';
import { isLive } from './lifecycle.js';
import { connectNetwork, disconnectNetwork } from '../network/attach.js';
import {
  createNetwork as netCreate,
  listNetworks as netList,
  inspectNetwork as netInspect,
  removeNetwork as netRemove,
  pruneNetworks as netPrune,
  getNetwork as netGet,
  type CreateNetworkOptions,
} from '../network/networks.js';
import { lookup, reconcileOne } from './containers.js';
import { lockContainer, lockNetwork } from './lock.js';
import type { EngineContext } from './context.js';
import { networkContext } from './parts.js';
import { forgetNetworkFile, networkFile, saveNetworkFile } from './record-file.js';
import { hostOf } from './host.js';
import { existsSync } from 'node:fs';

export function connect(ctx: EngineContext, net: string, ref: string, opts: { ip?: string; aliases?: string[] }) {
  if (hostOf(ctx).rootless()) throw invalid('network.rootless', `network ${net}: rootless berth has only the default, user-mode network`, 'run berth as root');
  const c0 = lookup(ctx, ref);
  if (c0.spec.networkMode !== 'bridge')
    throw invalid('network.mode', `container ${c0.name} uses --network ${c0.spec.networkMode} and cannot join bridge networks`);
  const lock = lockContainer(ctx, c0.id);
  try {
    const c = reconcileOne(ctx, lookup(ctx, c0.id));
    return connectNetwork(networkContext(ctx), c.id, net, opts, isLive(c.status));
  } finally {
    lock.release();
  }
}

export function disconnect(ctx: EngineContext, net: string, ref: string): void {
  const c0 = lookup(ctx, ref);
  const lock = lockContainer(ctx, c0.id);
  try {
    const c = reconcileOne(ctx, lookup(ctx, c0.id));
    disconnectNetwork(networkContext(ctx), c.id, net, isLive(c.status));
  } finally {
    lock.release();
  }
}

/**
 * The default network, made when nothing has needed it yet (a fresh root): the API's
 * /networks/bridge answers for it, as dockerd's always-present bridge.
 */
export function ensureDefaultNetwork(ctx: EngineContext) {
  const net = hostOf(ctx).ensureDefaultNetwork(networkContext(ctx));
  // Kept on disk like any network, so that a lost instances file does not orphan its bridge.
  if (!existsSync(networkFile(ctx, net.id))) saveNetworkFile(ctx, net.name);
  return net;
}

/** Under the network's lock: two creates of one name, or a create racing an rm, take turns. */
export function createNetwork(ctx: EngineContext, opts: CreateNetworkOptions) {
  hostOf(ctx).checkCanRun();
  if (hostOf(ctx).rootless()) {
    throw invalid('network.rootless', `network ${opts.name}: rootless berth cannot create networks: it has only the default, user-mode one`,
      'leave out --network, or run berth as root');
  }
  const lock = lockNetwork(ctx, opts.name);
  try {
    const rec = netCreate(networkContext(ctx), opts);
    saveNetworkFile(ctx, rec.name);
    return rec;
  } finally {
    lock.release();
  }
}
export const listNetworks = (ctx: EngineContext) => netList(networkContext(ctx));
export const inspectNetwork = (ctx: EngineContext, name: string) => netInspect(networkContext(ctx), name);
export function removeNetwork(ctx: EngineContext, name: string, opts: { force?: boolean }) {
  const lock = lockNetwork(ctx, name);
  try {
    const rec = netRemove(networkContext(ctx), name, opts);
    forgetNetworkFile(ctx, rec.id);
    return rec;
  } finally {
    lock.release();
  }
}
export function pruneNetworks(ctx: EngineContext): string[] {
  const before = new Map(netList(networkContext(ctx)).map((n) => [n.name, n.id]));
  const removed = netPrune(networkContext(ctx));
  for (const name of removed) {
    const id = before.get(name);
    if (id !== undefined) forgetNetworkFile(ctx, id);
  }
  return removed;
}
export const getNetwork = (ctx: EngineContext, name: string) => netGet(networkContext(ctx), name);
