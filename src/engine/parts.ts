// The one place that wires the parts under the engine to this root: each gets its records
// through a store from state/ and its paths, never the instances file itself; image/ gets
// storage/'s unpacker as a function, so it never imports storage/.
import type { ImageContext, LayerUnpacker } from '../image/types.js';
import type { NetCtx } from '../network/context.js';
import { imageStore } from '../state/image-store.js';
import { networkStore } from '../state/network-store.js';
import type { Db } from '../state/db.js';
import type { EngineContext } from './context.js';

// storage/unpack.js (and its tar parser) is loaded only when a layer is written or digested:
// `run` and `ps` never pay for it.
const unpacker = () => import('../storage/unpack.js');

/** storage/'s layer unpacker, as image/ asks for it. */
export const layerUnpacker: LayerUnpacker = {
  unpack: async (stream, dir) => (await unpacker()).unpackLayer(stream, dir),
  digest: async (stream) => (await unpacker()).digestLayer(stream),
  follow: async (fd, dir) => (await import('../storage/unpack-pool.js')).followLayer(fd, dir),
};

const nets = new WeakMap<EngineContext, NetCtx>();
const images = new WeakMap<EngineContext, ImageContext>();

/** What network/ works with for this context (made once per context). */
export function networkContext(ctx: EngineContext): NetCtx {
  let n = nets.get(ctx);
  if (!n) nets.set(ctx, n = { store: networkStore(ctx.db), paths: ctx.paths });
  return n;
}

/** What image/ works with for this context (made once per context). */
export function imageContext(ctx: EngineContext): ImageContext {
  let i = images.get(ctx);
  if (!i) images.set(ctx, i = imageContextOf(ctx.db, ctx.paths.root));
  return i;
}

/** image/'s context over an instances file already open (tests, and imageContext). */
export function imageContextOf(db: Db, root: string): ImageContext {
  return { store: imageStore(db), root, layers: layerUnpacker };
}
