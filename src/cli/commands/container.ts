// Container verbs. Each parses its flags, calls the engine, and prints what it returns.
import type { CommandContext } from '../main.js';
import { parseArgs, bool, str, list, type OptionDef } from '../args.js';
import { RUN_FLAGS, toCreateRequest } from './run-flags.js';
import { limitsText } from './ps-limits.js';
import { type AttachStreams, attachFlags, attachStreams, checkCidfile, writeCidfile } from './run-extra-flags.js';
import { PULL_FLAGS, pullIfNeeded } from './auto-pull.js';
import { FORMAT_HELP, INSPECT_FORMAT, out, printDocs, table, truncate } from '../render.js';
import { eachRef } from '../each-ref.js';
import { invalid } from '../../common/errors.js';
import { humanDuration, humanSize } from '../../common/units.js';
import { shortId } from '../../common/ids.js';
import { createEngine, parseStartFilters, type Container, type Engine, type HealthStatus, type LogChunk } from '../../engine/index.js';

const HELP: OptionDef = { long: 'help', type: 'boolean' };

function engineOf(c: CommandContext): Engine {
  return createEngine(c.config);
}

function write(chunk: LogChunk, streams: AttachStreams = { stdout: true, stderr: true }): void {
  if (chunk.stream === 'stdout' ? streams.stdout : streams.stderr) (chunk.stream === 'stdout' ? process.stdout : process.stderr).write(chunk.text);
}

function needArgs(c: CommandContext, pos: string[], usage: string): void {
  if (pos.length === 0) throw invalid('cli.missing_argument', `"berth ${c.path}" requires at least 1 argument`, `usage: berth ${c.path} ${usage}`);
}

// ------------------------------------------------------------------------------ create, run

/** create's -a attaches nothing: its help says what it does instead. */
const CREATE_FLAGS = RUN_FLAGS.map((d) =>
  d.long === 'attach' ? { ...d, description: "record STDIN, STDOUT or STDERR as the streams to attach (inspect's Config.Attach*; default: STDOUT and STDERR)" }
    : d
);

export async function createCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [...CREATE_FLAGS, ...PULL_FLAGS, HELP], { stopAtPositional: true, command: c.path });
  // Recorded for inspect; a later start -a attaches stdout and stderr, as Docker's does.
  const req = { ...toCreateRequest(p), attach: attachFlags(p.values) };
  const cidfile = checkCidfile(p.values);
  const engine = engineOf(c);
  await pullIfNeeded(engine, req.image, p.values);
  const ctr = await engine.containers.create(req);
  writeCidfile(cidfile, ctr.id);
  out(`${ctr.id}\n`);
  return 0;
}

export async function runCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [...RUN_FLAGS, ...PULL_FLAGS, HELP], { stopAtPositional: true, command: c.path });
  const req0 = toCreateRequest(p);
  const cidfile = checkCidfile(p.values);
  const detach = bool(p.values.detach);
  const streams = attachStreams(p.values);
  if (detach && list(p.values.attach).length > 0) throw invalid('cli.conflict', 'Conflicting options: -a and -d');
  // As Docker records them: none for run -d.
  const req = detach ? req0 : { ...req0, attach: attachFlags(p.values) };
  const engine = engineOf(c);
  await pullIfNeeded(engine, req.image, p.values);
  if (detach) {
    const id = (await engine.containers.run(req)).id;
    writeCidfile(cidfile, id);
    out(`${id}\n`);
    return 0;
  }
  // In the foreground, berth itself removes an --rm container once it has its exit code.
  const fg = { ...req, autoRemove: false };
  if (bool(p.values.interactive) || bool(p.values.tty)) {
    const a = await import('./attach.js');
    const stdin = bool(p.values.interactive);
    a.needTerminal(bool(p.values.tty), stdin);
    const dk = str(p.values['detach-keys']);
    const { session } = await engine.containers.runAttached(fg, { stdin, ...(dk !== undefined ? { detachKeys: dk } : {}) });
    const code = await a.runSession(engine, session, {
      sigProxy: p.values['sig-proxy'] !== false,
      streams,
      // Detached from, it exits without us: the exit callback removes it then.
      ...(req.autoRemove ? { onDetach: () => engine.containers.removeOnExit(session.id) } : {}),
    });
    if (req.autoRemove) await engine.containers.removeIfExited(session.id);
    return code;
  }
  const ctr = await engine.containers.run(fg, { attached: true });
  writeCidfile(cidfile, ctr.id);
  return attachUntilExit(engine, ctr, { autoRemove: req.autoRemove, streams });
}

/** Streams a container's output until it exits, forwarding Ctrl-C and TERM, and returns its exit code. */
async function attachUntilExit(engine: Engine, ctr: Container, o: { autoRemove: boolean; streams?: AttachStreams }): Promise<number> {
  const forward = (sig: NodeJS.Signals) => {
    engine.containers.kill(ctr.id, sig).catch(() => {/* exited already */});
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    for await (const chunk of engine.containers.logs(ctr.id, { follow: true, eager: true, discard: o.autoRemove }))
      write(chunk, o.streams);
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
  const final = await engine.containers.wait(ctr.id);
  if (o.autoRemove) await engine.containers.removeIfExited(ctr.id);
  return final.exitCode ?? 125;
}

// ------------------------------------------------------------------------------ start, stop, restart, kill, rm

export async function startCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [
    { long: 'attach', short: 'a', type: 'boolean' },
    { long: 'interactive', short: 'i', type: 'boolean', description: "attach the container's stdin" },
    { long: 'detach-keys', type: 'string', description: 'override the key sequence for detaching a container (default ctrl-p,ctrl-q)' },
    { long: 'all', type: 'boolean' },
    { long: 'filter', type: 'string', multiple: true },
    HELP,
  ], { command: c.path });
  const engine = engineOf(c);
  if (bool(p.values.all)) {
    if (p.positionals.length > 0 || bool(p.values.attach)) throw invalid('cli.bad_args', 'start --all takes no container names and no --attach');
    const report = await engine.containers.startAll(parseStartFilters(list(p.values.filter)));
    return (await import('./system.js')).reportStarts(report);
  }
  if (list(p.values.filter).length > 0) throw invalid('cli.bad_args', '--filter needs --all');
  needArgs(c, p.positionals, 'CONTAINER...');
  if (bool(p.values.attach) || bool(p.values.interactive)) {
    if (p.positionals.length !== 1) throw invalid('cli.bad_args', 'start -a takes exactly one container');
    const a = await import('./attach.js');
    const stdin = bool(p.values.interactive);
    const ctr0 = await engine.containers.get(p.positionals[0]!);
    a.needTerminal(ctr0.spec.tty === true, stdin && ctr0.spec.openStdin === true);
    const dk = str(p.values['detach-keys']);
    // Attached before the process runs: only this run's output, as Docker shows, not the log.
    const { session } = await engine.containers.startAttached(ctr0.id, { stdin, ...(dk !== undefined ? { detachKeys: dk } : {}) });
    return a.runSession(engine, session, { sigProxy: true });
  }
  return eachRef(p.positionals, async (ref) => {
    await engine.containers.start(ref);
    return ref;
  });
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
  const engine = engineOf(c);
  const t = timeoutFlag(p);
  return eachRef(p.positionals, async (ref) => {
    await engine.containers.stop(ref, t === undefined ? {} : { timeoutSec: t });
    return ref;
  });
}

export async function restartCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'time', short: 't', type: 'string', aliases: ['timeout'] }, HELP], { command: c.path });
  needArgs(c, p.positionals, '[-t SECONDS] CONTAINER...');
  const engine = engineOf(c);
  const t = timeoutFlag(p);
  return eachRef(p.positionals, async (ref) => {
    await engine.containers.restart(ref, t === undefined ? {} : { timeoutSec: t });
    return ref;
  });
}

export async function killCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'signal', short: 's', type: 'string' }, HELP], { command: c.path });
  needArgs(c, p.positionals, '[-s SIGNAL] CONTAINER...');
  const engine = engineOf(c);
  const sig = str(p.values.signal) ?? 'SIGKILL';
  return eachRef(p.positionals, async (ref) => {
    await engine.containers.kill(ref, sig);
    return ref;
  });
}

export async function rmCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'force', short: 'f', type: 'boolean' }, { long: 'volumes', short: 'v', type: 'boolean' }, HELP], { command: c.path });
  needArgs(c, p.positionals, '[-f] CONTAINER...');
  const engine = engineOf(c);
  return eachRef(p.positionals, async (ref) => {
    await engine.containers.remove(ref, { force: bool(p.values.force) });
    return ref;
  });
}

export async function waitCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [HELP], { command: c.path });
  needArgs(c, p.positionals, 'CONTAINER...');
  const engine = engineOf(c);
  return eachRef(p.positionals, async (ref) => String((await engine.containers.wait(ref)).exitCode ?? ''));
}

/** conmon's exit callback. Not for users; it must never fail loudly, since nobody reads it. */
export async function cleanupCmd(c: CommandContext): Promise<number> {
  const [id, runId] = c.argv;
  if (!id) return 125;
  await engineOf(c).containers.handleExit(id, runId);
  return 0;
}

// ------------------------------------------------------------------------------ ps

const HEALTH_TEXT: Record<HealthStatus, string> = { starting: ' (health: starting)', healthy: ' (healthy)', unhealthy: ' (unhealthy)' };

export function statusText(ctr: Container, now = Date.now(), health?: HealthStatus): string {
  if (ctr.status === 'running' || ctr.status === 'paused') {
    const h = ctr.status === 'running' && health !== undefined ? HEALTH_TEXT[health] : '';
    return `Up ${humanDuration(now - Date.parse(ctr.startedAt ?? ctr.createdAt))}${ctr.status === 'paused' ? ' (Paused)' : h}`;
  }
  if (ctr.status === 'exited') {
    const ago = ctr.finishedAt ? ` ${humanDuration(now - Date.parse(ctr.finishedAt))} ago` : '';
    return `Exited (${ctr.exitCode ?? 0})${ago}`;
  }
  return 'Created';
}

export async function psCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [
    { long: 'all', short: 'a', type: 'boolean' },
    { long: 'quiet', short: 'q', type: 'boolean' },
    { long: 'format', type: 'string', description: `${FORMAT_HELP}: '{{.Names}}', 'table {{.ID}}\\t{{.Ports}}', '{{.Label "k"}}'` },
    { long: 'no-trunc', type: 'boolean' },
    { long: 'size', short: 's', type: 'boolean', description: 'display total file sizes' },
    { long: 'filter', type: 'string', multiple: true },
    HELP,
  ], { command: c.path });
  const engine = engineOf(c);
  let list0 = await engine.containers.list({ reconcile: true });
  const filters = list(p.values.filter);
  // As Docker's: asking for a status (or an exit code) asks for stopped containers too.
  const all = bool(p.values.all) || filters.some((f) => /^(status|exited)=/.test(f));
  if (!all) list0 = list0.filter((x) => x.status === 'running' || x.status === 'paused');
  // Only containers with a healthcheck have a health; most listings have none and skip the read.
  const checked = list0.filter((x) => x.spec.healthcheck !== undefined && x.status === 'running').map((x) => x.id);
  const health = checked.length > 0 ? await engine.containers.health(checked) : new Map<string, HealthStatus>();
  if (filters.length > 0) {
    const { filterContainers } = await import('./ps-filter.js');
    const eps = filters.some((f) => f.startsWith('network=')) ? await engine.containers.endpoints(list0.map((x) => x.id))
      : new Map<string, { network: string }[]>();
    list0 = filterContainers(list0, filters, (x) => (eps.get(x.id) ?? []).map((e) => e.network), (x) => health.get(x.id));
  }
  const noTrunc = bool(p.values['no-trunc']);
  if (bool(p.values.quiet)) {
    out(list0.map((x) => `${noTrunc ? x.id : shortId(x.id)}\n`).join(''));
    return 0;
  }
  const eps = await engine.containers.endpoints(list0.map((x) => x.id));
  const format = str(p.values.format) ?? 'table';
  const now = Date.now();
  if (format !== 'table') {
    const [{ formatList }, { PS_COLUMNS, psRow }] = await Promise.all([import('../list-format.js'), import('./ps-format.js')]);
    // As Docker's: sizes are worked out when asked for, or when the template prints them.
    const sizeAsked = p.values.size === undefined ? format !== 'json' && /\.Size\b/.test(format) : bool(p.values.size);
    const sizes = sizeAsked ? await sizesOf(engine, list0) : undefined;
    const rows = [];
    for (const x of list0) {
      const mine = eps.get(x.id) ?? [];
      rows.push(psRow(x, {
        now,
        noTrunc,
        status: statusText(x, now, health.get(x.id)),
        networks: mine.length > 0 ? mine.map((e) => e.network) : x.spec.networks.map((n) => n.network),
        ports: x.spec.networkMode === 'bridge' ? await engine.containers.ports(x.id) : [],
        ...(sizes ? { size: sizes.get(x.id) ?? { rw: 0, image: 0 } } : {}),
      }));
    }
    out(formatList(format, PS_COLUMNS, rows, 'container'));
    return 0;
  }
  const sizes = bool(p.values.size) ? await sizesOf(engine, list0) : undefined;
  const sizeText = (x: Container) => {
    const z = sizes?.get(x.id) ?? { rw: 0, image: 0 };
    return `${humanSize(z.rw)} (virtual ${humanSize(z.rw + z.image)})`;
  };
  out(table(['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'NAMES', 'LIMITS', 'NETWORKS', ...(sizes ? ['SIZE'] : [])], list0.map((x) => [
    noTrunc ? x.id : shortId(x.id),
    x.imageRef,
    JSON.stringify(noTrunc ? x.spec.args.join(' ') : truncate(x.spec.args.join(' '), 20)),
    `${humanDuration(now - Date.parse(x.createdAt))} ago`,
    statusText(x, now, health.get(x.id)),
    x.name,
    limitsText(x.spec.resources),
    x.spec.networkMode === 'bridge' ? networksText(eps.get(x.id) ?? [], x.spec.networks) : x.spec.networkMode,
    ...(sizes ? [sizeText(x)] : []),
  ])));
  return 0;
}

/** Each container's writable layer and its image's bytes, for ps -s. */
async function sizesOf(engine: Engine, list0: Container[]): Promise<Map<string, { rw: number; image: number }>> {
  const d = await engine.system.diskUsageDetail();
  const images = new Map(d.images.map((i) => [i.id, i.size]));
  const rw = new Map(d.containers.map((x) => [x.id, x.sizeRw]));
  return new Map(list0.map((x) => [x.id, { rw: rw.get(x.id) ?? 0, image: images.get(x.imageId) ?? 0 }]));
}

/** Each endpoint with its address; rootless berth's user-mode network has none, only its name. */
function networksText(eps: readonly { network: string; ip?: string | null }[], asked: readonly { network: string }[]): string {
  if (eps.length === 0) return asked.map((n) => n.network).join(',');
  return eps.map((e) => (e.ip ? `${e.network}:${e.ip}` : e.network)).join(',');
}

// ------------------------------------------------------------------------------ logs, exec, inspect

export async function logsCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [
    { long: 'follow', short: 'f', type: 'boolean' },
    { long: 'tail', short: 'n', type: 'string' },
    { long: 'timestamps', short: 't', type: 'boolean' },
    { long: 'since', type: 'string' },
    { long: 'until', type: 'string' },
    { long: 'details', type: 'boolean' },
    HELP,
  ], { command: c.path });
  needArgs(c, p.positionals, '[-f] [--tail N] [-t] [--since T] [--until T] CONTAINER');
  const tailS = str(p.values.tail);
  if (tailS !== undefined && tailS !== 'all' && !/^\d+$/.test(tailS)) throw invalid('cli.bad_value', `invalid --tail "${tailS}": expected a number or all`);
  const { parseTimeArg } = await import('../timearg.js');
  const sinceS = str(p.values.since);
  const untilS = str(p.values.until);
  const engine = engineOf(c);
  for await (const chunk of engine.containers.logs(p.positionals[0]!, {
    follow: bool(p.values.follow),
    timestamps: bool(p.values.timestamps),
    ...(sinceS !== undefined ? { since: parseTimeArg(sinceS, '--since') } : {}),
    ...(untilS !== undefined ? { until: parseTimeArg(untilS, '--until') } : {}),
    ...(tailS !== undefined && tailS !== 'all' ? { tail: Number(tailS) } : {}),
  })) write(chunk);
  return 0;
}

export async function execCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [
    { long: 'interactive', short: 'i', type: 'boolean' },
    { long: 'tty', short: 't', type: 'boolean' },
    { long: 'env', short: 'e', type: 'string', multiple: true },
    { long: 'workdir', short: 'w', type: 'string' },
    { long: 'user', short: 'u', type: 'string' },
    { long: 'detach', short: 'd', type: 'boolean' },
    HELP,
  ], { stopAtPositional: true, command: c.path });
  const [ref, ...cmd] = p.positionals;
  if (!ref || cmd.length === 0)
    throw invalid('cli.missing_argument', '"berth exec" requires a container and a command', 'usage: berth exec [OPTIONS] CONTAINER COMMAND [ARG...]');
  return engineOf(c).containers.exec(ref, {
    args: cmd,
    env: list(p.values.env),
    interactive: bool(p.values.interactive),
    tty: bool(p.values.tty),
    ...(bool(p.values.detach) ? { detach: true } : {}),
    ...(str(p.values.workdir) !== undefined ? { workdir: str(p.values.workdir)! } : {}),
    ...(str(p.values.user) !== undefined ? { user: str(p.values.user)! } : {}),
  });
}

export async function inspectCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [INSPECT_FORMAT, { long: 'type', type: 'string' }, HELP], { command: c.path });
  needArgs(c, p.positionals, 'CONTAINER...');
  const engine = engineOf(c);
  const docs: unknown[] = [];
  let rc = 0;
  for (const ref of p.positionals) {
    try {
      docs.push(await engine.containers.inspect(ref));
    } catch (e) {
      // Docker's inspect falls back to images when no container has that name.
      try {
        docs.push(await engine.images.inspect(ref));
      } catch {
        process.stderr.write(`berth: ${(e as Error).message}\n`);
        rc = 125;
      }
    }
  }
  await printDocs(docs, str(p.values.format));
  return rc;
}
