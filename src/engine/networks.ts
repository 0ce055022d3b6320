// Network verbs that touch containers: connect and disconnect take the container's lock and
// know whether it is running; the rest pass straight to network/.
import { invalid } from '../common/errors.js';
import { isLive } from './lifecycle.js';
import { connectNetwork, disconnectNetwork } from '../network/attach.js';
import {
  createNetwork as netCreate, listNetworks as netList, inspectNetwork as netInspect, removeNetwork as netRemove,
  pruneNetworks as netPrune, getNetwork as netGet, type CreateNetworkOptions,
} from '../network/networks.js';
import { lookup, reconcileOne } from './containers.js';
import { lockContainer } from './lock.js';
import type { EngineContext } from './context.js';

export function connect(ctx: EngineContext, net: string, ref: string, opts: { ip?: string; aliases?: string[] }) {
  const c0 = lookup(ctx, ref);
  if (c0.spec.networkMode !== 'bridge') throw invalid('network.mode', `container ${c0.name} uses --network ${c0.spec.networkMode} and cannot join bridge networks`);
  const lock = lockContainer(ctx.paths.runroot, c0.id);
  try {
    const c = reconcileOne(ctx, lookup(ctx, c0.id));
    return connectNetwork({ db: ctx.db, paths: ctx.paths }, c.id, net, opts, isLive(c.status));
  } finally {
    lock.release();
  }
}

export function disconnect(ctx: EngineContext, net: string, ref: string): void {
  const c0 = lookup(ctx, ref);
  const lock = lockContainer(ctx.paths.runroot, c0.id);
  try {
    const c = reconcileOne(ctx, lookup(ctx, c0.id));
    disconnectNetwork({ db: ctx.db, paths: ctx.paths }, c.id, net, isLive(c.status));
  } finally {
    lock.release();
  }
}

export const createNetwork = (ctx: EngineContext, opts: CreateNetworkOptions) => netCreate({ db: ctx.db, paths: ctx.paths }, opts);
export const listNetworks = (ctx: EngineContext) => netList({ db: ctx.db, paths: ctx.paths });
export const inspectNetwork = (ctx: EngineContext, name: string) => netInspect({ db: ctx.db, paths: ctx.paths }, name);
export const removeNetwork = (ctx: EngineContext, name: string, opts: { force?: boolean }) => netRemove({ db: ctx.db, paths: ctx.paths }, name, opts);
export const pruneNetworks = (ctx: EngineContext) => netPrune({ db: ctx.db, paths: ctx.paths });
export const getNetwork = (ctx: EngineContext, name: string) => netGet({ db: ctx.db, paths: ctx.paths }, name);
