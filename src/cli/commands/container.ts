// Container verbs. Each parses its flags, calls the engine, and prints what it returns.
import type { CommandContext } from '../main.js';
import { parseArgs, bool, str, list, type OptionDef } from '../args.js';
import { RUN_FLAGS, toCreateRequest } from './run-flags.js';
import { PULL_FLAGS, pullIfNeeded } from './auto-pull.js';
import { json, out, printDocs, table, truncate } from '../render.js';
import { invalid } from '../../common/errors.js';
import { humanDuration } from '../../common/units.js';
import { shortId } from '../../common/ids.js';
import { createContext, logPath, type EngineContext } from '../../engine/context.js';
import {
  createContainer, startContainer, stopContainer, restartContainer, killContainer, removeContainer, lookup,
  reconcileAll, reconcileOne, onContainerExit, waitContainer, removeIfExited, runAttached, type Container,
} from '../../engine/containers.js';
import { execContainer } from '../../engine/exec.js';
import { containerEndpoints } from '../../engine/views.js';
import { LogFollower, renderRecords } from '../../engine/logs.js';
import { sleepMs } from '../../common/sleep.js';

const HELP: OptionDef = { long: 'help', type: 'boolean' };

function ctxOf(c: CommandContext): EngineContext {
  return createContext(c.config);
}

function needArgs(c: CommandContext, pos: string[], usage: string): void {
  if (pos.length === 0) throw invalid('cli.missing_argument', `"berth ${c.path}" requires at least 1 argument`, `usage: berth ${c.path} ${usage}`);
}

/** Runs a verb on each named container, as Docker does: report each failure, exit 1... but 125 here. */
async function eachRef(refs: string[], fn: (ref: string) => Promise<string> | string): Promise<number> {
  let rc = 0;
  for (const ref of refs) {
    try {
      out(`${await fn(ref)}\n`);
    } catch (e) {
      if (refs.length === 1) throw e;
      process.stderr.write(`berth: ${(e as Error).message}\n`);
      rc = 125;
    }
  }
  return rc;
}

// ------------------------------------------------------------------------------ create, run

export async function createCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [...RUN_FLAGS, ...PULL_FLAGS, HELP], { stopAtPositional: true, command: c.path });
  const req = toCreateRequest(p);
  const ctx = ctxOf(c);
  await pullIfNeeded(ctx, req.image, p.values);
  const ctr = createContainer(ctx, req);
  out(`${ctr.id}\n`);
  return 0;
}

export async function runCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [...RUN_FLAGS, ...PULL_FLAGS, HELP], { stopAtPositional: true, command: c.path });
  const req = toCreateRequest(p);
  const detach = bool(p.values.detach);
  const ctx = ctxOf(c);
  await pullIfNeeded(ctx, req.image, p.values);
  // In the foreground, berth itself removes an --rm container once it has its exit code.
  const ctr = createContainer(ctx, detach ? req : { ...req, autoRemove: false });
  const interactive = bool(p.values.interactive) || bool(p.values.tty);
  if (!detach && interactive) {
    if (bool(p.values.tty) && !process.stdin.isTTY) {
      removeContainer(ctx, ctr.id, { force: true });
      throw invalid('run.no_tty', 'the input device is not a TTY', 'drop -t when stdin is not a terminal');
    }
    let done: Container;
    try {
      done = await runAttached(ctx, ctr.id, { tty: bool(p.values.tty) });
    } catch (e) {
      try { removeContainer(ctx, ctr.id, { force: true }); } catch { /* keep the first error */ }
      throw e;
    }
    if (req.autoRemove) removeIfExited(ctx, ctr.id);
    return done.exitCode ?? 125;
  }
  try {
    await startContainer(ctx, ctr.id, { attached: !detach });
  } catch (e) {
    try { removeContainer(ctx, ctr.id, { force: true }); } catch { /* keep the first error */ }
    throw e;
  }
  if (detach) {
    out(`${ctr.id}\n`);
    return 0;
  }
  return attachUntilExit(ctx, ctr, req.autoRemove);
}

/** Streams a container's output until it exits, forwarding Ctrl-C and TERM, and returns its exit code. */
async function attachUntilExit(ctx: EngineContext, ctr: Container, autoRemove: boolean): Promise<number> {
  const follower = new LogFollower(logPath(ctx, ctr.id));
  const forward = (sig: NodeJS.Signals) => { try { killContainer(ctx, ctr.id, sig); } catch { /* exited already */ } };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const flush = () => {
    for (const r of renderRecords(follower.read(), { timestamps: false })) (r.stream === 'stdout' ? process.stdout : process.stderr).write(r.text);
  };
  let final: Container;
  // Short commands end within milliseconds: poll at 1 ms, backing off to 15 ms for long ones.
  for (let delay = 1; ; delay = Math.min(15, delay * 2)) {
    flush();
    const cur = lookup(ctx, ctr.id);
    const now = cur.status === 'running' ? reconcileOne(ctx, cur, { discard: autoRemove }) : cur;
    if (now.status !== 'running') { final = waitContainer(ctx, ctr.id); break; }
    await new Promise((r) => setTimeout(r, delay));
  }
  flush();
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  if (autoRemove) removeIfExited(ctx, ctr.id);
  return final.exitCode ?? 125;
}

// ------------------------------------------------------------------------------ start, stop, restart, kill, rm

export async function startCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'attach', short: 'a', type: 'boolean' }, HELP], { command: c.path });
  needArgs(c, p.positionals, 'CONTAINER...');
  const ctx = ctxOf(c);
  if (bool(p.values.attach)) {
    if (p.positionals.length !== 1) throw invalid('cli.bad_args', 'start -a takes exactly one container');
    const ctr = await startContainer(ctx, p.positionals[0]!);
    return attachUntilExit(ctx, ctr, false);
  }
  return eachRef(p.positionals, async (ref) => { await startContainer(ctx, ref); return ref; });
}

function timeoutFlag(p: ReturnType<typeof parseArgs>): number | undefined {
  const t = str(p.values.time);
  if (t === undefined) return undefined;
  if (!/^\d+$/.test(t)) throw invalid('cli.bad_value', `invalid --time "${t}": expected whole seconds`);
  return Number(t);
}

export async function stopCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'time', short: 't', type: 'string', aliases: ['timeout'] }, HELP], { command: c.path });
  needArgs(c, p.positionals, '[-t SECONDS] CONTAINER...');
  const ctx = ctxOf(c);
  const t = timeoutFlag(p);
  return eachRef(p.positionals, (ref) => { stopContainer(ctx, ref, t); return ref; });
}

export async function restartCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'time', short: 't', type: 'string', aliases: ['timeout'] }, HELP], { command: c.path });
  needArgs(c, p.positionals, '[-t SECONDS] CONTAINER...');
  const ctx = ctxOf(c);
  const t = timeoutFlag(p);
  return eachRef(p.positionals, async (ref) => { await restartContainer(ctx, ref, t); return ref; });
}

export async function killCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'signal', short: 's', type: 'string' }, HELP], { command: c.path });
  needArgs(c, p.positionals, '[-s SIGNAL] CONTAINER...');
  const ctx = ctxOf(c);
  const sig = str(p.values.signal) ?? 'SIGKILL';
  return eachRef(p.positionals, (ref) => { killContainer(ctx, ref, sig); return ref; });
}

export async function rmCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'force', short: 'f', type: 'boolean' }, { long: 'volumes', short: 'v', type: 'boolean' }, HELP], { command: c.path });
  needArgs(c, p.positionals, '[-f] CONTAINER...');
  const ctx = ctxOf(c);
  return eachRef(p.positionals, (ref) => { removeContainer(ctx, ref, { force: bool(p.values.force) }); return ref; });
}

export async function waitCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [HELP], { command: c.path });
  needArgs(c, p.positionals, 'CONTAINER...');
  const ctx = ctxOf(c);
  return eachRef(p.positionals, (ref) => String(waitContainer(ctx, lookup(ctx, ref).id).exitCode ?? ''));
}

/** conmon's exit callback. Not for users; it must never fail loudly, since nobody reads it. */
export async function cleanupCmd(c: CommandContext): Promise<number> {
  const [id, runId] = c.argv;
  if (!id) return 125;
  await onContainerExit(ctxOf(c), id, runId);
  return 0;
}

// ------------------------------------------------------------------------------ ps

export function statusText(ctr: Container, now = Date.now()): string {
  if (ctr.status === 'running') return `Up ${humanDuration(now - Date.parse(ctr.startedAt ?? ctr.createdAt))}`;
  if (ctr.status === 'exited') {
    const ago = ctr.finishedAt ? ` ${humanDuration(now - Date.parse(ctr.finishedAt))} ago` : '';
    return `Exited (${ctr.exitCode ?? 0})${ago}`;
  }
  return 'Created';
}

function limitsText(ctr: Container): string {
  const r = ctr.spec.resources;
  const parts: string[] = [];
  if (r.memory !== undefined) parts.push(`mem=${Math.round(r.memory / 1024 / 1024)}m`);
  if (r.cpus !== undefined) parts.push(`cpus=${r.cpus}`);
  if (r.cpusetCpus !== undefined) parts.push(`cpuset=${r.cpusetCpus}`);
  if (r.pidsLimit !== undefined) parts.push(`pids=${r.pidsLimit}`);
  const io = r.blkio.readBps.length + r.blkio.writeBps.length + r.blkio.readIops.length + r.blkio.writeIops.length;
  if (io > 0) parts.push('io');
  return parts.join(',');
}

export async function psCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [
    { long: 'all', short: 'a', type: 'boolean' }, { long: 'quiet', short: 'q', type: 'boolean' },
    { long: 'format', type: 'string' }, { long: 'no-trunc', type: 'boolean' }, { long: 'filter', type: 'string', multiple: true }, HELP,
  ], { command: c.path });
  const ctx = ctxOf(c);
  let list0 = reconcileAll(ctx);
  if (!bool(p.values.all)) list0 = list0.filter((x) => x.status === 'running');
  for (const f of list(p.values.filter)) {
    const [k, v = ''] = f.split('=', 2) as [string, string?];
    if (k === 'label') {
      const [lk, lv] = v.split('=', 2) as [string, string?];
      list0 = list0.filter((x) => lk in x.labels && (lv === undefined || x.labels[lk] === lv));
    } else if (k === 'name') list0 = list0.filter((x) => x.name.includes(v));
    else if (k === 'status') list0 = list0.filter((x) => x.status === v);
    else throw invalid('cli.bad_filter', `unsupported --filter "${f}": berth knows label, name and status`);
  }
  const noTrunc = bool(p.values['no-trunc']);
  if (bool(p.values.quiet)) {
    out(list0.map((x) => `${noTrunc ? x.id : shortId(x.id)}\n`).join(''));
    return 0;
  }
  const eps = containerEndpoints(ctx, list0.map((x) => x.id));
  const format = str(p.values.format) ?? 'table';
  if (format === 'json') {
    out(json(list0.map((x) => ({
      Id: x.id, Names: [x.name], Image: x.imageRef, ImageID: x.imageId, Command: x.spec.args.join(' '),
      Created: x.createdAt, State: x.status, Status: statusText(x), ExitCode: x.exitCode, StartedAt: x.startedAt,
      Labels: x.labels, Limits: x.spec.resources, Networks: eps.get(x.id) ?? [],
    }))));
    return 0;
  }
  if (format !== 'table') throw invalid('cli.bad_format', `unknown --format "${format}": use table or json`);
  const now = Date.now();
  out(table(['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'NAMES', 'LIMITS', 'NETWORKS'], list0.map((x) => [
    noTrunc ? x.id : shortId(x.id),
    x.imageRef,
    JSON.stringify(noTrunc ? x.spec.args.join(' ') : truncate(x.spec.args.join(' '), 20)),
    `${humanDuration(now - Date.parse(x.createdAt))} ago`,
    statusText(x, now),
    x.name,
    limitsText(x),
    x.spec.networkMode === 'bridge' ? (eps.get(x.id) ?? []).map((e) => (e.ip ? `${e.network}:${e.ip}` : e.network)).join(',') : x.spec.networkMode,
  ])));
  return 0;
}

// ------------------------------------------------------------------------------ logs, exec, inspect

export async function logsCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [
    { long: 'follow', short: 'f', type: 'boolean' }, { long: 'tail', short: 'n', type: 'string' },
    { long: 'timestamps', short: 't', type: 'boolean' }, HELP,
  ], { command: c.path });
  needArgs(c, p.positionals, '[-f] [--tail N] [-t] CONTAINER');
  const ctx = ctxOf(c);
  const ctr = lookup(ctx, p.positionals[0]!);
  const tailS = str(p.values.tail);
  if (tailS !== undefined && tailS !== 'all' && !/^\d+$/.test(tailS)) throw invalid('cli.bad_value', `invalid --tail "${tailS}": expected a number or all`);
  const follower = new LogFollower(logPath(ctx, ctr.id));
  const ts = bool(p.values.timestamps);
  let recs = follower.read();
  if (tailS !== undefined && tailS !== 'all') recs = recs.slice(Math.max(0, recs.length - Number(tailS)));
  const write = (rs: typeof recs) => { for (const r of renderRecords(rs, { timestamps: ts })) (r.stream === 'stdout' ? process.stdout : process.stderr).write(r.text); };
  write(recs);
  if (!bool(p.values.follow)) return 0;
  for (;;) {
    const cur = reconcileOne(ctx, lookup(ctx, ctr.id));
    write(follower.read());
    if (cur.status !== 'running') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  write(follower.read());
  return 0;
}

export async function execCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [
    { long: 'interactive', short: 'i', type: 'boolean' }, { long: 'tty', short: 't', type: 'boolean' },
    { long: 'env', short: 'e', type: 'string', multiple: true }, { long: 'workdir', short: 'w', type: 'string' },
    { long: 'user', short: 'u', type: 'string' }, { long: 'detach', short: 'd', type: 'boolean' }, HELP,
  ], { stopAtPositional: true, command: c.path });
  const [ref, ...cmd] = p.positionals;
  if (!ref || cmd.length === 0) throw invalid('cli.missing_argument', '"berth exec" requires a container and a command', 'usage: berth exec [OPTIONS] CONTAINER COMMAND [ARG...]');
  const ctx = ctxOf(c);
  return execContainer(ctx, ref, {
    args: cmd, env: list(p.values.env), interactive: bool(p.values.interactive), tty: bool(p.values.tty),
    ...(str(p.values.workdir) !== undefined ? { workdir: str(p.values.workdir)! } : {}),
    ...(str(p.values.user) !== undefined ? { user: str(p.values.user)! } : {}),
  });
}

export async function inspectCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'format', short: 'f', type: 'string' }, { long: 'type', type: 'string' }, HELP], { command: c.path });
  needArgs(c, p.positionals, 'CONTAINER...');
  const ctx = ctxOf(c);
  const { inspectContainer } = await import('../../engine/views.js');
  const docs: unknown[] = [];
  let rc = 0;
  for (const ref of p.positionals) {
    try {
      docs.push(inspectContainer(ctx, reconcileOne(ctx, lookup(ctx, ref))));
    } catch (e) {
      // Docker's inspect falls back to images when no container has that name.
      try {
        const { inspectImage } = await import('../../engine/images.js');
        docs.push(inspectImage(ctx, ref));
      } catch {
        process.stderr.write(`berth: ${(e as Error).message}\n`);
        rc = 125;
      }
    }
  }
  await printDocs(docs, str(p.values.format));
  return rc;
}
