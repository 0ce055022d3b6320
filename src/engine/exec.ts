// exec: a new process in a running container's namespaces, through the runtime directly (no
// conmon: the caller's terminal is the exec's stdio, and its exit code is ours).
import { invalid } from '../common/errors.js';
import { execInContainer } from '../runtime/oci.js';
import { chooseRuntime } from '../runtime/select.js';
import { snapshotPaths } from '../storage/overlay.js';
import { lookup, reconcileOne } from './containers.js';
import { runtimeRoot, type EngineContext } from './context.js';
import { mustBe } from './lifecycle.js';
import { resolveUser } from './user.js';

export interface ExecRequest {
  args: string[];
  env: string[];
  interactive: boolean;
  tty: boolean;
  workdir?: string;
  user?: string;
}

export async function execContainer(ctx: EngineContext, ref: string, req: ExecRequest): Promise<number> {
  const c = reconcileOne(ctx, lookup(ctx, ref));
  mustBe('exec', c.status, c.name);
  if (req.tty && !process.stdin.isTTY) throw invalid('exec.no_tty', 'the input device is not a TTY', 'drop -t when stdin is not a terminal');
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
    tty: req.tty,
    interactive: req.interactive,
  });
}

/** A healthcheck's run: the command's output discarded; true when it exits 0 within timeoutMs. */
export async function probeContainer(ctx: EngineContext, ref: string, args: readonly string[], timeoutMs: number): Promise<boolean> {
  const c = reconcileOne(ctx, lookup(ctx, ref));
  if (c.status !== 'running') return false;
  const runtime = chooseRuntime(c.spec.runtime);
  const user = resolveUser(snapshotPaths(ctx.paths.root, c.id).merged, c.spec.user);
  try {
    const code = await execInContainer({
      runtime,
      runtimeRoot: runtimeRoot(ctx, runtime.name),
      id: c.id,
      args: [...args],
      env: c.spec.env,
      cwd: c.spec.workdir,
      user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
      quiet: true,
      timeoutMs,
    });
    return code === 0;
  } catch {
    return false; // the command could not be run: the check fails
  }
}
