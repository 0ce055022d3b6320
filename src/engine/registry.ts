// Registries as the CLI and the API reach them: image/registry does the work against this root.
import type { EngineContext } from './context.js';
import { imageContext } from './parts.js';
import { pullImage as pull, parsePlatform, type PullOptions, type PullResult } from '../image/registry/pull.js';
import { pushImage as push, type PushOptions, type PushResult } from '../image/registry/push.js';
import { login as li, logout as lo, type LoginOptions } from '../image/registry/login.js';
import type { TransferProgress } from '../image/registry/progress.js';
import type { Credentials } from '../image/registry/auth.js';
import { registriesConfig } from '../image/registry/config.js';
import { looksLikeId, parseReference } from '../image/reference.js';
import { imageExists } from './images.js';

export { parsePlatform, type PullOptions, type PullResult, type PushOptions, type PushResult, type LoginOptions, type TransferProgress, type Credentials };

const ictx = (ctx: EngineContext) => (imageContext(ctx));

export const pullImage = (ctx: EngineContext, ref: string, opts: PullOptions) => pull(ictx(ctx), ref, opts);
export const pushImage = (ctx: EngineContext, src: string, dest: string | undefined, opts: PushOptions) => push(ictx(ctx), src, dest, opts);
export const login = (ctx: EngineContext, registry: string, creds: Credentials, opts: LoginOptions) => li(ctx.paths.root, registry, creds, opts);
export const logout = (ctx: EngineContext, registry: string, opts: { authFile?: string }) => lo(ctx.paths.root, registry, opts);

export type PullPolicy = 'missing' | 'always' | 'never';

/**
 * What `docker run` and `docker build` do before they need an image: pull it when the policy says
 * so. Returns whether it pulled. Never pulls an image id, nor a short name when no search registry
 * is configured (then the local "image not found" is the answer), so a typo goes nowhere unasked.
 */
export async function ensureImage(ctx: EngineContext, ref: string, policy: PullPolicy, opts: PullOptions & { onMissing?: () => void } = {}): Promise<boolean> {
  if (policy === 'never') return false;
  const local = imageExists(ctx, ref);
  if (policy === 'missing' && local) return false;
  if (!local && looksLikeId(ref) && !ref.includes(':') && !ref.includes('/')) return false;
  let qualified: boolean;
  try {
    qualified = parseReference(ref).domain !== '';
  } catch {
    return false;
  }
  if (!qualified && registriesConfig(ctx.paths.root).search.length === 0) return false;
  if (!local) opts.onMissing?.();
  const { onMissing: _, ...pullOpts } = opts;
  await pullImage(ctx, ref, pullOpts);
  return true;
}
