// The build cache: every step's key is chained from the key before it (the stage's base, then
// each instruction with its inputs), so a key names the whole history of a step, and an
// unchanged step on an unchanged history finds the image it made last time.
import { createHash } from 'node:crypto';
import type { BuildImage, BuildSupport } from '../engine/index.js';
import type { Build, StepCache, StepState } from './types.js';

/** The key after `prev` for a step whose inputs are `parts` (order matters, so does each part's boundary). */
export function chain(prev: string, ...parts: string[]): string {
  const h = createHash('sha256').update(prev);
  for (const p of parts) h.update('\n').update(p);
  return h.digest('hex');
}

/** The engine's build cache; with noCache, lookups miss but results are still remembered for next time. */
export function stepCache(engine: BuildSupport, noCache: boolean): StepCache {
  return {
    get: (key) => (noCache ? undefined : engine.lookupStep(key)),
    put: (key, id) => engine.rememberStep(key, id),
  };
}

/** The stage moves onto image `img`, made by the step with `key`: config edits before it are in it now. */
export function adopt(st: StepState, img: BuildImage, key: string): void {
  st.image = img;
  st.key = key;
  st.dirty = false;
  st.notes = [];
}

/**
 * A step that makes a layer: the cached image when `key` has one, else `make`'s, remembered
 * under `key`. Either way the stage continues from it.
 */
export async function layerStep(b: Build, st: StepState, key: string, make: () => Promise<BuildImage>): Promise<void> {
  const hit = b.cache.get(key);
  if (hit) {
    b.log(`--> Using cache ${hit.id.slice(7)}`);
    adopt(st, hit, key);
    return;
  }
  const img = await make();
  b.cache.put(key, img.id);
  b.log(`--> ${img.id.slice(7, 19)}`);
  adopt(st, img, key);
}
