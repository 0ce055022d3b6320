// exec: a new process in a running container's namespaces, through the runtime directly (no
// conmon). Three ways to take its output: the caller's terminal (berth exec), a sink (the API's
// exec, which frames it for a client; no terminal, no stdin), or nowhere (a healthcheck probe).
import { invalid } from '../common/errors.js';
import { execInContainer, type ExecOptions } from '../runtime/oci.js';
import { chooseRuntime } from '../runtime/select.js';
import { snapshotPaths } from '../storage/overlay.js';
import { lookup, reconcileOne, type Container } from './containers.js';
import { runtimeRoot, type EngineContext } from './context.js';
import { mustBe } from './lifecycle.js';
import { resolveUser } from './user.js';
import { recordContainerEvent } from './events.js';
import { newId } from '../common/ids.js';

export interface ExecRequest {
  args: string[];
  env: string[];
  interactive: boolean;
  tty: boolean;
  /** `exec -d`: started, not waited for; resolves with 0 once it runs. */
  detach?: boolean;
  workdir?: string;
  user?: string;
}

/** A request without a terminal, its output handed to a sink. */
export interface CapturedExecRequest {
  args: string[];
  env: string[];
  /** Its stdin (the API's AttachStdin); without it the process reads /dev/null. */
  input?: NodeJS.ReadableStream;
  workdir?: string;
  user?: string;
}

export interface ExecOutput {
  stdout(b: Buffer): void;
  stderr(b: Buffer): void;
}

type ExecIo = Pick<ExecOptions, 'tty' | 'interactive' | 'quiet' | 'timeoutMs' | 'output' | 'detach' | 'input'>;

/** The one way the engine runs a process in a running container: its user, env and cwd resolved from the spec. */
function execIn(ctx: EngineContext, c: Container, req: CapturedExecRequest, io: ExecIo): Promise<number> {
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
    ...io,
  });
}

function running(ctx: EngineContext, ref: string): Container {
  const c = reconcileOne(ctx, lookup(ctx, ref));
  mustBe('exec', c.status, c.name);
  return c;
}

export async function execContainer(ctx: EngineContext, ref: string, req: ExecRequest): Promise<number> {
  const c = running(ctx, ref);
  if (req.detach) return withExecEvents(ctx, c, req.args, () => execIn(ctx, c, req, { detach: true }));
  if (req.tty && req.interactive && !process.stdin.isTTY) throw invalid('exec.no_tty', 'the input device is not a TTY', 'drop -t when stdin is not a terminal');
  return withExecEvents(ctx, c, req.args, () => execIn(ctx, c, req, { tty: req.tty, interactive: req.interactive }));
}

/** Docker's exec_create, exec_start and exec_die (with the exit code) around one exec. */
async function withExecEvents(ctx: EngineContext, c: Container, args: readonly string[], run: () => Promise<number>): Promise<number> {
  const execID = newId();
  const cmd = args.join(' ');
  recordContainerEvent(ctx, `exec_create: ${cmd}`, c, { execID });
  recordContainerEvent(ctx, `exec_start: ${cmd}`, c, { execID });
  const code = await run();
  recordContainerEvent(ctx, 'exec_die', c, { execID, exitCode: String(code) });
  return code;
}

/** Resolves with the exit code once the output is all delivered. */
export async function execCaptured(ctx: EngineContext, ref: string, req: CapturedExecRequest, output: ExecOutput, timeoutMs?: number): Promise<number> {
  const c = running(ctx, ref);
  return withExecEvents(ctx, c, req.args,
    () => execIn(ctx, c, req, { output, ...(req.input ? { input: req.input } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) }));
}

/** A healthcheck's run: the command's output discarded; true when it exits 0 within timeoutMs. */
export async function probeContainer(ctx: EngineContext, ref: string, args: readonly string[], timeoutMs: number): Promise<boolean> {
  const c = reconcileOne(ctx, lookup(ctx, ref));
  if (c.status !== 'running') return false;
  try {
    return (await execIn(ctx, c, { args: [...args], env: [] }, { quiet: true, timeoutMs })) === 0;
  } catch {
    return false; // the command could not be run: the check fails
  }
}
