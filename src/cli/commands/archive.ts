// Moving images: save, load, tag, prune, and `system df`.
import type { CommandContext } from '../main.js';
import { parseArgs, bool, list, str } from '../args.js';
import { FORMAT_HELP, out, table } from '../render.js';
import { invalid } from '../../common/errors.js';
import { humanSize } from '../../common/units.js';
import { createEngine, ARCHIVE_FORMATS, type ArchiveFormat, type OciContainerConfig, type CommitOptions } from '../../engine/index.js';

const HELP = { long: 'help', type: 'boolean' } as const;

const engineOf = (c: CommandContext) => createEngine(c.config);

export async function saveCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'output', short: 'o', type: 'string' }, { long: 'format', type: 'string' }, { long: 'quiet', short: 'q',
    type: 'boolean' }, HELP], { command: c.path });
  const format = (str(p.values.format) ?? 'oci-archive') as ArchiveFormat;
  if (!ARCHIVE_FORMATS.includes(format)) {
    throw invalid('cli.bad_value', `unknown --format "${format}"`, `use one of ${ARCHIVE_FORMATS.join(', ')}`);
  }
  if (p.positionals.length === 0)
    throw invalid('cli.missing_argument', `"berth ${c.path}" requires at least 1 image`,
      `usage: berth ${c.path} [-o FILE] [--format oci-archive|docker-archive] IMAGE...`);
  const engine = engineOf(c);
  const file = str(p.values.output);
  if (file === undefined || file === '-') {
    if (process.stdout.isTTY) throw invalid('image.save_to_tty', 'refusing to write an image archive to a terminal', 'use -o FILE or redirect stdout');
    await engine.images.save(p.positionals, process.stdout, format);
    return 0;
  }
  await engine.files.writeStream(file, (out) => engine.images.save(p.positionals, out, format));
  return 0;
}

export async function loadCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'input', short: 'i', type: 'string' }, { long: 'quiet', short: 'q', type: 'boolean' }, HELP], { command: c.path });
  const source = str(p.values.input) ?? p.positionals[0] ?? '-';
  if (source === '-' && process.stdin.isTTY) throw invalid('image.load_from_tty', 'no archive to load: stdin is a terminal', 'use -i FILE or redirect stdin');
  const imgs = await engineOf(c).images.load(source);
  for (const img of imgs) out(`Loaded image: ${img.repository === '<none>' ? img.id : `${img.repository}:${img.tag}`}\n`);
  return 0;
}

export async function tagCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [HELP], { command: c.path });
  const [src, ...dsts] = p.positionals;
  if (!src || dsts.length === 0)
    throw invalid('cli.missing_argument', `"berth ${c.path}" requires 2 arguments`, `usage: berth ${c.path} SOURCE_IMAGE TARGET_IMAGE[:TAG]`);
  const engine = engineOf(c);
  for (const d of dsts) await engine.images.tag(src, d);
  return 0;
}

export async function pruneCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'all', short: 'a', type: 'boolean' }, { long: 'force', short: 'f', type: 'boolean' }, { long: 'filter', type: 'string',
    multiple: true }, HELP], { command: c.path });
  if (p.values.filter !== undefined) throw invalid('cli.unsupported', '--filter is not supported by berth image prune yet');
  const r = await engineOf(c).images.prune({ all: bool(p.values.all) });
  if (r.deleted.length > 0) {
    out('Deleted Images:\n' + r.untagged.map((t) => `untagged: ${t}\n`).join('') + r.deleted.map((d) => `deleted: ${d}\n`).join('') + '\n');
  }
  out(`Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
  return 0;
}

/** `berth system df` (and `system prune`-free: df is the only system verb berth has yet). */
export async function systemCmd(c: CommandContext): Promise<number> {
  const [verb, ...rest] = c.argv;
  if (verb !== 'df') throw invalid('cli.unknown_command', `unknown command "system ${verb ?? ''}"`.trimEnd(), 'berth system df');
  const p = parseArgs(rest, [{ long: 'format', type: 'string', description: `${FORMAT_HELP}: '{{.Type}} {{.Size}}'` }, { long: 'verbose', short: 'v',
    type: 'boolean', description: 'show each image, container and volume with its size' }, HELP], { command: 'system df' });
  const lines = await engineOf(c).system.diskUsage();
  const pct = (l: { size: number; reclaimable: number }) => (l.size === 0 ? '0%' : `${Math.round((100 * l.reclaimable) / l.size)}%`);
  const format = str(p.values.format) ?? 'table';
  if (format !== 'table') {
    const { formatList, goSize } = await import('../list-format.js');
    // Docker's DiskUsageContext: every field text, as its table prints it (go-units' HumanSize; no percentage of nothing).
    out(formatList(format, { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' }, lines.map((l) => ({
      Type: l.type,
      TotalCount: String(l.total),
      Active: String(l.active),
      Size: goSize(l.size, 4),
      Reclaimable: l.size > 0 ? `${goSize(l.reclaimable, 4)} (${Math.floor((100 * l.reclaimable) / l.size)}%)` : goSize(l.reclaimable, 4),
    })), 'diskUsage'));
    return 0;
  }
  out(table(['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'], lines.map((l) => [
    l.type,
    String(l.total),
    String(l.active),
    humanSize(l.size),
    `${humanSize(l.reclaimable)} (${pct(l)})`,
  ])));
  return 0;
}

export async function commitCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [
    { long: 'author', short: 'a', type: 'string' },
    { long: 'message', short: 'm', type: 'string' },
    { long: 'change', short: 'c', type: 'string', multiple: true },
    { long: 'pause', short: 'p', type: 'boolean' },
    { long: 'quiet', short: 'q', type: 'boolean' },
    HELP,
  ], { command: c.path });
  const [ref, name, ...extra] = p.positionals;
  if (!ref || extra.length > 0)
    throw invalid('cli.missing_argument', `"berth ${c.path}" requires 1 or 2 arguments`,
      `usage: berth ${c.path} [-a AUTHOR] [-m MESSAGE] [-c INSTRUCTION]... CONTAINER [NAME[:TAG]]`);
  const changes = list(p.values.change).map(parseChange);
  const opts: CommitOptions = { changes: (cfg) => {
    for (const ch of changes) ch(cfg);
  } };
  const author = str(p.values.author);
  if (author !== undefined) opts.author = author;
  const message = str(p.values.message);
  if (message !== undefined) opts.message = message;
  const r = await engineOf(c).containers.commit(ref, name, opts);
  out(`${r.id.replace(/^sha256:/, '')}\n`);
  return 0;
}

/** One --change instruction, Dockerfile syntax, as an edit of the image config. */
function parseChange(text: string): (cfg: OciContainerConfig) => void {
  const m = /^(CMD|ENTRYPOINT|ENV|WORKDIR|EXPOSE|USER|LABEL|STOPSIGNAL|VOLUME)\s+(.*)$/i.exec(text.trim());
  if (!m)
    throw invalid('image.bad_change', `unsupported --change "${text}": berth supports CMD, ENTRYPOINT, ENV, WORKDIR, EXPOSE, USER, LABEL, STOPSIGNAL, VOLUME`);
  const arg = m[2]!.trim();
  const words = (): string[] => {
    if (!arg.startsWith('[')) return ['/bin/sh', '-c', arg];
    try {
      return JSON.parse(arg) as string[];
    } catch {
      throw invalid('image.bad_change', `--change "${text}": not a JSON array`);
    }
  };
  const kv = (): [string, string] => {
    const i = arg.search(/[=\s]/);
    return i < 0 ? [arg, ''] : [arg.slice(0, i), arg.slice(i + 1).trim().replace(/^"(.*)"$/, '$1')];
  };
  switch (m[1]!.toUpperCase()) {
    case 'CMD': {
      const w = words();
      return (c) => {
        c.Cmd = w;
      };
    }
    case 'ENTRYPOINT': {
      const w = words();
      return (c) => {
        c.Entrypoint = w;
      };
    }
    case 'ENV': {
      const [k, v] = kv();
      return (c) => {
        c.Env = [...(c.Env ?? []).filter((e) => !e.startsWith(`${k}=`)), `${k}=${v}`];
      };
    }
    case 'LABEL': {
      const [k, v] = kv();
      return (c) => {
        c.Labels = { ...(c.Labels ?? {}), [k]: v };
      };
    }
    case 'WORKDIR':
      return (c) => {
        c.WorkingDir = arg;
      };
    case 'USER':
      return (c) => {
        c.User = arg;
      };
    case 'STOPSIGNAL':
      return (c) => {
        c.StopSignal = arg;
      };
    case 'EXPOSE':
      return (c) => {
        c.ExposedPorts = { ...(c.ExposedPorts ?? {}), ...Object.fromEntries(arg.split(/\s+/).map((x) => [x.includes('/') ? x : `${x}/tcp`, {}])) };
      };
    default:
      return (c) => {
        c.Volumes = { ...(c.Volumes ?? {}), [arg]: {} };
      };
  }
}

export async function exportCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'output', short: 'o', type: 'string' }, HELP], { command: c.path });
  const [ref, ...extra] = p.positionals;
  if (!ref || extra.length > 0)
    throw invalid('cli.missing_argument', `"berth ${c.path}" requires exactly 1 argument`, `usage: berth ${c.path} [-o FILE] CONTAINER`);
  const engine = engineOf(c);
  const file = str(p.values.output);
  if (file === undefined || file === '-') {
    if (process.stdout.isTTY) throw invalid('container.export_to_tty', 'refusing to write a tar archive to a terminal', 'use -o FILE or redirect stdout');
    await engine.containers.export(ref, process.stdout);
    return 0;
  }
  await engine.files.writeStream(file, (out) => engine.containers.export(ref, out));
  return 0;
}
