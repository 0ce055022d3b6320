// The one place that wires the parts under the engine to this root: each gets its records
// through a store from state/ and its paths, never the instances file itself.
import type { NetCtx } from '../network/context.js';
import { networkStore } from '../state/network-store.js';
import type { EngineContext } from './context.js';

const nets = new WeakMap<EngineContext, NetCtx>();

/** What network/ works with for this context (made once per context). */
export function networkContext(ctx: EngineContext): NetCtx {
  let n = nets.get(ctx);
  if (!n) nets.set(ctx, (n = { store: networkStore(ctx.db), paths: ctx.paths }));
  return n;
}
