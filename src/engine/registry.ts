// Registries as the CLI and the API reach them: image/registry does the work against this root.
import type { EngineContext } from './context.js';
import { pullImage as pull, parsePlatform, type PullOptions, type PullResult } from '../image/registry/pull.js';
import { pushImage as push, type PushOptions, type PushResult } from '../image/registry/push.js';
import { login as li, logout as lo, type LoginOptions } from '../image/registry/login.js';
import type { TransferProgress } from '../image/registry/progress.js';
import type { Credentials } from '../image/registry/auth.js';

export { parsePlatform, type PullOptions, type PullResult, type PushOptions, type PushResult, type LoginOptions, type TransferProgress, type Credentials };

const ictx = (ctx: EngineContext) => ({ db: ctx.db, root: ctx.paths.root });

export const pullImage = (ctx: EngineContext, ref: string, opts: PullOptions) => pull(ictx(ctx), ref, opts);
export const pushImage = (ctx: EngineContext, src: string, dest: string | undefined, opts: PushOptions) => push(ictx(ctx), src, dest, opts);
export const login = (ctx: EngineContext, registry: string, creds: Credentials, opts: LoginOptions) => li(ctx.paths.root, registry, creds, opts);
export const logout = (ctx: EngineContext, registry: string, opts: { authFile?: string }) => lo(ctx.paths.root, registry, opts);
