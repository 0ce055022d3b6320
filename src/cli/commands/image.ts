// Image verbs over the content store.
import type { CommandContext } from '../main.js';
import { parseArgs, bool, str, list } from '../args.js';
import { FORMAT_HELP, INSPECT_FORMAT, out, printDocs, table } from '../render.js';
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
const IMAGE_COLUMNS = { ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', Size: 'SIZE',
  Containers: 'CONTAINERS', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE', VirtualSize: 'SIZE' };

export async function lsCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'quiet', short: 'q', type: 'boolean' }, { long: 'format', type: 'string',
    description: `${FORMAT_HELP}: '{{.Repository}}:{{.Tag}}', 'table {{.ID}}\\t{{.Size}}', '{{.Label "k"}}'` }, { long: 'all', short: 'a', type: 'boolean' }, {
    long: 'no-trunc',
    type: 'boolean',
    description: "don't truncate the image id",
  }, HELP], { command: c.path });
  const engine = createEngine(c.config);
  const imgs = await engine.images.list({ all: bool(p.values.all) });
  const noTrunc = bool(p.values['no-trunc']);
  const shortImageId = (id: string) => (noTrunc ? id : id.replace('sha256:', '').slice(0, 12));
  if (bool(p.values.quiet)) {
    out(imgs.map((i) => `${shortImageId(i.id)}\n`).join(''));
    return 0;
  }
  const format = str(p.values.format) ?? 'table';
  const now = Date.now();
  if (format !== 'table') {
    const { formatList, goSize, goTime } = await import('../list-format.js');
    // Labels are in each image's config, read only for a template that asks for one.
    const labels = new Map<string, Record<string, string>>();
    if (/\.Label\b/.test(format)) {
      for (const id of new Set(imgs.map((i) => i.id))) {
        const cfg = (await engine.images.inspect(id)).Config as { Labels?: Record<string, string> | null } | undefined;
        labels.set(id, cfg?.Labels ?? {});
      }
    }
    out(formatList(format, IMAGE_COLUMNS, imgs.map((i) => ({
      Containers: 'N/A',
      CreatedAt: goTime(i.created),
      CreatedSince: `${humanDuration(now - Date.parse(i.created))} ago`,
      // berth keeps no repository digest for a tag; Docker prints <none> for an image without one.
      Digest: '<none>',
      ID: shortImageId(i.id),
      Repository: i.repository,
      SharedSize: 'N/A',
      Size: goSize(i.size),
      Tag: i.tag,
      UniqueSize: 'N/A',
      VirtualSize: goSize(i.size, 4),
      Label: (k: unknown) => labels.get(i.id)?.[String(k)] ?? '',
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
  const p = parseArgs(c.argv, [INSPECT_FORMAT, HELP], { command: c.path });
  if (p.positionals.length === 0) throw invalid('cli.missing_argument', '"berth image inspect" requires at least 1 argument');
  const engine = createEngine(c.config);
  const docs = await Promise.all(p.positionals.map((r) => engine.images.inspect(r)));
  await printDocs(docs, str(p.values.format));
  return 0;
}

/** history --format's fields, Docker's names, with their table headers. */
const HISTORY_COLUMNS = { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' };

export async function historyCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'no-trunc', type: 'boolean', description: "don't truncate output" }, { long: 'quiet', short: 'q', type: 'boolean',
    description: 'only show image ids' }, { long: 'human', short: 'H', type: 'boolean',
    description: 'print sizes and dates in human readable format (default true)' }, { long: 'format', type: 'string',
    description: `${FORMAT_HELP}: '{{.CreatedBy}}', 'table {{.ID}}\\t{{.Size}}'` }, HELP], { command: c.path });
  const [ref, ...extra] = p.positionals;
  if (!ref || extra.length > 0)
    throw invalid('cli.missing_argument', `"berth ${c.path}" requires exactly 1 argument`,
      `usage: berth ${c.path} [--no-trunc] [-q] [-H] [--format FORMAT] IMAGE`);
  const entries = await createEngine(c.config).images.history(ref);
  const { formatList, goSize } = await import('../list-format.js');
  const full = bool(p.values['no-trunc']);
  const human = p.values.human !== false;
  const id = (s: string) => (s === '<missing>' || full ? s : s.replace('sha256:', '').slice(0, 12));
  if (bool(p.values.quiet)) {
    out(entries.map((e) => `${id(e.id)}\n`).join(''));
    return 0;
  }
  const now = Date.now();
  // Docker's history context: tabs in CREATED BY are spaces, and it is cut at 45 unless --no-trunc.
  const by = (s: string) => {
    const t = s.replace(/\t/g, ' ');
    return full || t.length <= 45 ? t : `${t.slice(0, 44)}…`;
  };
  const createdAt = (iso: string) => `${new Date(iso).toISOString().slice(0, 19)}Z`;
  const since = (iso: string) => (human ? `${humanDuration(now - Date.parse(iso))} ago` : createdAt(iso));
  const size = (n: number) => (human ? goSize(n) : String(n));
  const format = str(p.values.format) ?? 'table';
  if (format !== 'table') {
    out(formatList(format, HISTORY_COLUMNS, entries.map((e) => ({
      ID: id(e.id),
      CreatedSince: since(e.created),
      CreatedAt: createdAt(e.created),
      CreatedBy: by(e.createdBy),
      Size: size(e.size),
      Comment: e.comment,
    })), 'history'));
    return 0;
  }
  out(table(['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], entries.map((e) => [
    id(e.id),
    since(e.created),
    by(e.createdBy),
    size(e.size),
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
