// exec with a terminal or an open stdin for a client that is not our own terminal (the API's
// docker exec -it): the process is held by conmon -e, and the caller gets an attach session on
// it (runtime/exec-conmon.ts) and its exit code.
import { join } from 'node:path';
import { newId } from '../common/ids.js';
import { execUnderConmon } from '../runtime/exec-conmon.js';
import { chooseRuntime } from '../runtime/select.js';
import { snapshotPaths } from '../storage/overlay.js';
import { sessionOn, type AttachOptions, type AttachSession } from './container-attach.js';
import { lookup, reconcileOne } from './containers.js';
import { containerDir, containerRunDir, runtimeRoot, type EngineContext } from './context.js';
import { mustBe } from './lifecycle.js';
import { resolveUser } from './user.js';

export interface AttachedExecRequest {
  args: string[];
  env: string[];
  workdir?: string;
  user?: string;
  tty: boolean;
  /** Keep the process's stdin open for the session. */
  stdin: boolean;
}

export async function execAttached(ctx: EngineContext, ref: string, req: AttachedExecRequest,
  o: AttachOptions): Promise<{ session: AttachSession; exitCode: Promise<number> }>
{
  const c = reconcileOne(ctx, lookup(ctx, ref));
  mustBe('exec', c.status, c.name);
  const runtime = chooseRuntime(c.spec.runtime);
  const user = resolveUser(snapshotPaths(ctx.paths.root, c.id).merged, req.user ?? c.spec.user);
  const execId = newId();
  const runDir = containerRunDir(ctx, c.id);
  // Short: conmon binds the attach socket under it (sun_path is 108 bytes; it links a short name to it).
  const execDir = join(runDir, 'exec', execId.slice(0, 12));
  const x = await execUnderConmon({
    runtime,
    runtimeRoot: runtimeRoot(ctx, runtime.name),
    id: c.id,
    name: c.name,
    execId,
    bundleDir: containerDir(ctx, c.id),
    execDir,
    socketDir: join(runDir, 'attach'),
    args: req.args,
    env: [...c.spec.env, ...req.env],
    cwd: req.workdir ?? c.spec.workdir,
    user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
    terminal: req.tty,
    stdin: req.stdin,
  });
  const session = sessionOn(ctx, { id: c.id, tty: req.tty, openStdin: req.stdin, dir: execDir }, x.attach, { ...o, stdin: req.stdin });
  return { session, exitCode: x.exitCode };
}
