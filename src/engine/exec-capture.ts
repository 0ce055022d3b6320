// An exec whose output goes to the caller rather than to berth's own stdio: the API's exec,
// which frames it for a client. No terminal and no stdin (a client's stdin is not served yet).
import { execInContainer } from '../runtime/oci.js';
import { chooseRuntime } from '../runtime/select.js';
import { snapshotPaths } from '../storage/overlay.js';
import { lookup, reconcileOne } from './containers.js';
import { runtimeRoot, type EngineContext } from './context.js';
import { mustBe } from './lifecycle.js';
import { resolveUser } from './user.js';

export interface CapturedExecRequest {
  args: string[];
  env: string[];
  workdir?: string;
  user?: string;
}

export interface ExecOutput {
  stdout(b: Buffer): void;
  stderr(b: Buffer): void;
}

/** Runs the command in the running container; resolves with its exit code once its output is all delivered. */
export async function execCaptured(ctx: EngineContext, ref: string, req: CapturedExecRequest, output: ExecOutput): Promise<number> {
  const c = reconcileOne(ctx, lookup(ctx, ref));
  mustBe('exec', c.status, c.name);
  const runtime = chooseRuntime(c.spec.runtime);
  const user = resolveUser(snapshotPaths(ctx.paths.root, c.id).merged, req.user ?? c.spec.user);
  return execInContainer({
    runtime,
    runtimeRoot: runtimeRoot(ctx, runtime.name),
    id: c.id,
    args: req.args,
    env: [...c.spec.env, ...req.env],
    cwd: req.workdir ?? c.spec.workdir,
    user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
    output,
  });
}
