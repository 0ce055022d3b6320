// Image verbs over the content store.
import type { CommandContext } from '../main.js';
import { parseArgs, bool, str, list } from '../args.js';
import { json, out, printDocs, table } from '../render.js';
import { invalid } from '../../common/errors.js';
import { humanDuration, humanSize } from '../../common/units.js';
import { createEngine } from '../../engine/index.js';

const HELP = { long: 'help', type: 'boolean' } as const;

export async function importCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'change', short: 'c', type: 'string', multiple: true }, { long: 'quiet', short: 'q', type: 'boolean' }, HELP], {
    command: c.path,
  });
  const [source, name] = p.positionals;
  if (!source) throw invalid('cli.missing_argument', '"berth image import" requires a file or -', 'usage: berth image import FILE|- [NAME[:TAG]]');
  if (source === '-' && process.stdin.isTTY)
    throw invalid('image.stdin_tty', 'refusing to read an image archive from a terminal', 'pipe the archive in: berth image import - < FILE');
  const changes: { cmd?: string[]; env?: string[]; entrypoint?: string[]; workdir?: string; exposedPorts?: string[] } = {};
  for (const ch of list(p.values.change)) {
    const m = /^(CMD|ENV|ENTRYPOINT|WORKDIR|EXPOSE)\s+(.*)$/i.exec(ch.trim());
    if (!m) throw invalid('image.bad_change', `unsupported --change "${ch}": berth supports CMD, ENTRYPOINT, ENV, WORKDIR, EXPOSE`);
    const arg = m[2]!.trim();
    const words = (): string[] => (arg.startsWith('[') ? (JSON.parse(arg) as string[]) : ['/bin/sh', '-c', arg]);
    switch (m[1]!.toUpperCase()) {
      case 'CMD':
        changes.cmd = words();
        break;
      case 'ENTRYPOINT':
        changes.entrypoint = words();
        break;
      case 'ENV':
        changes.env = [...(changes.env ?? []), arg.includes('=') ? arg : arg.replace(/\s+/, '=')];
        break;
      case 'WORKDIR':
        changes.workdir = arg;
        break;
      case 'EXPOSE':
        changes.exposedPorts = [...(changes.exposedPorts ?? []), ...arg.split(/\s+/)];
        break;
    }
  }
  const img = await createEngine(c.config).images.import(source, name, { changes });
  out(`${img.id}\n`);
  return 0;
}

/** images --format's fields, Docker's names, with their table headers. */
const IMAGE_COLUMNS = { ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', Size: 'SIZE' };

export async function lsCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'quiet', short: 'q', type: 'boolean' }, { long: 'format', type: 'string',
    description: "table, json, or a Go template: '{{.Repository}}:{{.Tag}}', 'table {{.ID}}\\t{{.Size}}'" }, { long: 'all', short: 'a', type: 'boolean' },
    HELP], { command: c.path });
  const imgs = await createEngine(c.config).images.list({ all: bool(p.values.all) });
  if (bool(p.values.quiet)) {
    out(imgs.map((i) => `${i.id.replace('sha256:', '').slice(0, 12)}\n`).join(''));
    return 0;
  }
  const format = str(p.values.format) ?? 'table';
  if (format === 'json') {
    out(json(imgs));
    return 0;
  }
  const now = Date.now();
  if (format !== 'table') {
    const { formatList } = await import('../list-format.js');
    out(formatList(format, IMAGE_COLUMNS, imgs.map((i) => ({
      ID: i.id.replace('sha256:', '').slice(0, 12),
      Repository: i.repository,
      Tag: i.tag,
      CreatedSince: `${humanDuration(now - Date.parse(i.created))} ago`,
      // Go's time.Time as Docker prints it.
      CreatedAt: `${new Date(i.created).toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`,
      Size: humanSize(i.size),
    })), 'image'));
    return 0;
  }
  out(table(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'], imgs.map((i) => [
    i.repository,
    i.tag,
    i.id.replace('sha256:', '').slice(0, 12),
    `${humanDuration(now - Date.parse(i.created))} ago`,
    humanSize(i.size),
  ])));
  return 0;
}

export async function inspectCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'format', short: 'f', type: 'string' }, HELP], { command: c.path });
  if (p.positionals.length === 0) throw invalid('cli.missing_argument', '"berth image inspect" requires at least 1 argument');
  const engine = createEngine(c.config);
  const docs = await Promise.all(p.positionals.map((r) => engine.images.inspect(r)));
  await printDocs(docs, str(p.values.format));
  return 0;
}

export async function historyCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'no-trunc', type: 'boolean' }, { long: 'quiet', short: 'q', type: 'boolean' }, { long: 'format', type: 'string' }, HELP],
    { command: c.path });
  const [ref, ...extra] = p.positionals;
  if (!ref || extra.length > 0)
    throw invalid('cli.missing_argument', `"berth ${c.path}" requires exactly 1 argument`, `usage: berth ${c.path} [--no-trunc] [-q] [--format json] IMAGE`);
  const entries = await createEngine(c.config).images.history(ref);
  const full = bool(p.values['no-trunc']);
  const id = (s: string) => (s === '<missing>' || full ? s : s.replace('sha256:', '').slice(0, 12));
  if (bool(p.values.quiet)) {
    out(entries.map((e) => `${id(e.id)}\n`).join(''));
    return 0;
  }
  if (str(p.values.format) === 'json') {
    out(json(entries));
    return 0;
  }
  const now = Date.now();
  const by = (s: string) => (full || s.length <= 45 ? s : `${s.slice(0, 44)}…`);
  out(table(['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], entries.map((e) => [
    id(e.id),
    `${humanDuration(now - Date.parse(e.created))} ago`,
    by(e.createdBy),
    humanSize(e.size),
    e.comment,
  ])));
  return 0;
}

export async function rmCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'force', short: 'f', type: 'boolean' }, HELP], { command: c.path });
  if (p.positionals.length === 0) throw invalid('cli.missing_argument', '"berth image rm" requires at least 1 argument');
  const engine = createEngine(c.config);
  for (const ref of p.positionals) {
    const r = await engine.images.remove(ref, { force: bool(p.values.force) });
    out(r.untagged.map((t) => `Untagged: ${t}\n`).join('') + r.deleted.map((d) => `Deleted: ${d}\n`).join(''));
  }
  return 0;
}
