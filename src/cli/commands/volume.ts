// volume create|ls|inspect|rm|prune, Docker's flags and output.
import { readFileSync } from 'node:fs';
import type { CommandContext } from '../main.js';
import { parseArgs, bool, list, str } from '../args.js';
import { FORMAT_HELP, INSPECT_FORMAT, out, printDocs, table } from '../render.js';
import { invalid } from '../../common/errors.js';
import { humanSize } from '../../common/units.js';
import { createEngine, type LabelFilter, type VolumeInfo } from '../../engine/index.js';
import { eachRef } from '../each-ref.js';

function labelsOf(items: string[]): Record<string, string> {
  const l: Record<string, string> = {};
  for (const kv of items) {
    const i = kv.indexOf('=');
    l[i < 0 ? kv : kv.slice(0, i)] = i < 0 ? '' : kv.slice(i + 1);
  }
  return l;
}

/** Docker's volume inspect document. */
export function volumeDoc(v: VolumeInfo): Record<string, unknown> {
  return { CreatedAt: v.createdAt, Driver: v.driver, Labels: v.labels, Mountpoint: v.mountpoint, Name: v.name, Options: {}, Scope: 'local' };
}

export async function createCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [
    { long: 'driver', short: 'd', type: 'string', description: 'volume driver name (local)' },
    { long: 'label', type: 'string', multiple: true, description: 'set metadata for a volume (K=V)' },
    { long: 'opt', short: 'o', type: 'string', multiple: true, description: 'driver specific options (none for local)' },
    { long: 'name', type: 'string', description: 'volume name' },
  ], { command: c.path });
  if (p.positionals.length > 1) throw invalid('cli.bad_args', `"berth ${c.path}" takes at most 1 argument`, `usage: berth ${c.path} [OPTIONS] [VOLUME]`);
  const flagName = str(p.values.name);
  const name = p.positionals[0] ?? flagName;
  if (flagName !== undefined && p.positionals[0] !== undefined && flagName !== p.positionals[0]) {
    throw invalid('cli.bad_args', `conflicting options: either specify --name or provide positional arg, not both`);
  }
  const driver = str(p.values.driver);
  const v = await createEngine(c.config).volumes.create({
    ...(name !== undefined ? { name } : {}),
    labels: labelsOf(list(p.values.label)),
    ...(driver !== undefined ? { driver } : {}),
    options: list(p.values.opt),
  });
  out(`${v.name}\n`);
  return 0;
}

/** --filter name=, label=, dangling= as Docker's volume ls. */
function filterVolumes(vols: VolumeInfo[], filters: string[], inUse: Set<string>): VolumeInfo[] {
  let out0 = vols;
  for (const f of filters) {
    const i = f.indexOf('=');
    const k = i < 0 ? f : f.slice(0, i);
    const v = i < 0 ? '' : f.slice(i + 1);
    if (k === 'name') out0 = out0.filter((x) => x.name.includes(v));
    else if (k === 'label') {
      const [lk, lv] = v.split('=', 2) as [string, string?];
      out0 = out0.filter((x) => lk in x.labels && (lv === undefined || x.labels[lk] === lv));
    } else if (k === 'dangling') {
      if (v !== 'true' && v !== 'false' && v !== '1' && v !== '0') throw invalid('cli.bad_filter', `invalid filter 'dangling=${v}': expected true or false`);
      const dangling = v === 'true' || v === '1';
      out0 = out0.filter((x) => inUse.has(x.name) !== dangling);
    } else if (k === 'driver') out0 = out0.filter((x) => x.driver === v);
    else throw invalid('cli.bad_filter', `invalid filter '${k}': berth's volume ls knows name, label, dangling and driver`);
  }
  return out0;
}

/** volume ls --format's fields, Docker's names, with their table headers. */
const VOLUME_COLUMNS = { Name: 'VOLUME NAME', Driver: 'DRIVER', Scope: 'SCOPE', Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Links: 'LINKS', Size: 'SIZE',
  Group: 'GROUP', Availability: 'AVAILABILITY', Status: 'STATUS' };

export async function lsCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [
    { long: 'quiet', short: 'q', type: 'boolean', description: 'only display volume names' },
    { long: 'format', type: 'string', description: `${FORMAT_HELP}: '{{.Name}}', 'table {{.Name}}\\t{{.Mountpoint}}', '{{.Label "k"}}'` },
    { long: 'filter', short: 'f', type: 'string', multiple: true, description: 'filter: name=, label=K[=V], dangling=true|false, driver=' },
  ], { command: c.path });
  const engine = createEngine(c.config);
  const all = await engine.volumes.list();
  const filters = list(p.values.filter);
  let inUse = new Set<string>();
  if (filters.some((f) => f.startsWith('dangling='))) {
    inUse = new Set((await engine.containers.list()).flatMap((x) => x.spec.volumes.filter((m) => m.named).map((m) => m.source)));
  }
  const vols = filterVolumes(all, filters, inUse);
  if (bool(p.values.quiet)) {
    out(vols.map((v) => `${v.name}\n`).join(''));
    return 0;
  }
  const format = str(p.values.format) ?? 'table';
  if (format === 'table') {
    out(table(['DRIVER', 'VOLUME NAME'], vols.map((v) => [v.driver, v.name])));
    return 0;
  }
  const { formatList, labelFields } = await import('../list-format.js');
  // Docker's VolumeContext; what only a cluster volume or `-v`'s sizes have is N/A here, as in Docker's.
  out(formatList(format, VOLUME_COLUMNS, vols.map((v) => ({
    Availability: 'N/A',
    Driver: v.driver,
    Group: 'N/A',
    ...labelFields(v.labels),
    Links: 'N/A',
    Mountpoint: v.mountpoint,
    Name: v.name,
    Scope: 'local',
    Size: 'N/A',
    Status: 'N/A',
  })), 'volume'));
  return 0;
}

export async function inspectCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [INSPECT_FORMAT], { command: c.path });
  if (p.positionals.length === 0)
    throw invalid('cli.missing_argument', `"berth ${c.path}" requires at least 1 argument`, `usage: berth ${c.path} VOLUME [VOLUME...]`);
  const engine = createEngine(c.config);
  const docs: unknown[] = [];
  let rc = 0;
  for (const name of p.positionals) {
    try {
      docs.push(volumeDoc(await engine.volumes.inspect(name)));
    } catch (e) {
      if (p.positionals.length === 1) throw e;
      process.stderr.write(`berth: ${(e as Error).message}\n`);
      rc = 125;
    }
  }
  await printDocs(docs, str(p.values.format));
  return rc;
}

export async function rmCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'force', short: 'f', type: 'boolean', description: 'do not fail on a volume that does not exist' }], {
    command: c.path,
  });
  if (p.positionals.length === 0)
    throw invalid('cli.missing_argument', `"berth ${c.path}" requires at least 1 argument`, `usage: berth ${c.path} [OPTIONS] VOLUME [VOLUME...]`);
  const engine = createEngine(c.config);
  return eachRef(p.positionals, async (name) => {
    await engine.volumes.removeChecked(name, { force: bool(p.values.force) });
    return name;
  });
}

/** Docker's "Are you sure?" unless -f: y or yes goes on; anything else (or no answer) does nothing. */
export async function confirm(question: string, force: boolean): Promise<boolean> {
  if (force) return true;
  const { canPrompt, promptLine } = await import('../prompt.js');
  let answer: string;
  if (canPrompt()) answer = await promptLine(`${question} [y/N] `);
  else {
    process.stderr.write(`${question} [y/N] `);
    try {
      answer = readFileSync(0, 'utf8').split('\n')[0] ?? '';
    } catch {
      answer = '';
    }
  }
  return /^y(es)?$/i.test(answer.trim());
}

export function labelFilters(filters: string[], verb: string): LabelFilter | undefined {
  if (filters.length === 0) return undefined;
  const want: LabelFilter = {};
  for (const f of filters) {
    const m = /^label=([^=]+)(?:=(.*))?$/.exec(f);
    if (!m) throw invalid('cli.bad_filter', `invalid filter "${f}": berth's ${verb} knows label=KEY[=VALUE]`);
    want[m[1]!] = m[2];
  }
  return want;
}

export async function pruneCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [
    { long: 'force', short: 'f', type: 'boolean', description: 'do not prompt for confirmation' },
    { long: 'all', short: 'a', type: 'boolean', description: 'remove all unused volumes (berth has no anonymous ones: the same)' },
    { long: 'filter', type: 'string', multiple: true, description: 'label=KEY[=VALUE]' },
  ], { command: c.path });
  const labels = labelFilters(list(p.values.filter), 'volume prune');
  if (!(await confirm('WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?',
    bool(p.values.force)))) return 0;
  const r = await createEngine(c.config).volumes.prune(labels ? { labels } : {});
  if (r.removed.length > 0) out(`Deleted Volumes:\n${r.removed.map((n) => `${n}\n`).join('')}\n`);
  out(`Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
  return 0;
}
