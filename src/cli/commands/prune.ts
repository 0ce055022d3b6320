// container prune and system prune, Docker's prompts and output.
import type { CommandContext } from '../main.js';
import { parseArgs, bool, list } from '../args.js';
import { out } from '../render.js';
import { invalid } from '../../common/errors.js';
import { humanSize, parseDuration } from '../../common/units.js';
import { createEngine, type LabelFilter } from '../../engine/index.js';
import { confirm } from './volume.js';

function pruneFilters(filters: string[]): { labels?: LabelFilter; until?: Date } {
  const labels: LabelFilter = {};
  let until: Date | undefined;
  for (const f of filters) {
    const m = /^(label|until)=(.*)$/.exec(f);
    if (!m) throw invalid('cli.bad_filter', `invalid filter "${f}": berth's container prune knows label=KEY[=VALUE] and until=TIME`);
    if (m[1] === 'label') {
      const i = m[2]!.indexOf('=');
      if (i < 0) labels[m[2]!] = undefined;
      else labels[m[2]!.slice(0, i)] = m[2]!.slice(i + 1);
    } else {
      const t = m[2]!;
      // A time (RFC 3339, or a date) or a duration back from now (24h), as Docker's until.
      until = /^\d{4}-/.test(t) ? new Date(t) : new Date(Date.now() - parseDuration(t, 'until'));
      if (Number.isNaN(until.getTime())) throw invalid('cli.bad_filter', `invalid until "${t}": expected a time (RFC 3339) or a duration such as 24h`);
    }
  }
  return { ...(Object.keys(labels).length > 0 ? { labels } : {}), ...(until ? { until } : {}) };
}

export async function containerPruneCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [
    { long: 'force', short: 'f', type: 'boolean', description: 'do not prompt for confirmation' },
    { long: 'filter', type: 'string', multiple: true, description: 'label=KEY[=VALUE] or until=TIME' },
  ], { command: c.path });
  const filters = pruneFilters(list(p.values.filter));
  if (!(await confirm('WARNING! This will remove all stopped containers.\nAre you sure you want to continue?', bool(p.values.force)))) return 0;
  const r = await createEngine(c.config).containers.prune(filters);
  if (r.deleted.length > 0) out(`Deleted Containers:\n${r.deleted.map((id) => `${id}\n`).join('')}\n`);
  out(`Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
  return 0;
}

export async function systemPruneCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [
    { long: 'all', short: 'a', type: 'boolean', description: 'remove all unused images, not just dangling ones' },
    { long: 'force', short: 'f', type: 'boolean', description: 'do not prompt for confirmation' },
    { long: 'volumes', type: 'boolean', description: 'prune volumes that no container uses' },
  ], { command: c.path });
  const all = bool(p.values.all);
  const volumes = bool(p.values.volumes);
  const warning = ['WARNING! This will remove:', '  - all stopped containers', '  - all networks not used by at least one container',
    ...(volumes ? ['  - all volumes not used by at least one container'] : []),
    all ? '  - all images without at least one container associated to them' : '  - all dangling images', '', 'Are you sure you want to continue?'].join('\n');
  if (!(await confirm(warning, bool(p.values.force)))) return 0;
  const r = await createEngine(c.config).system.prune({ all, volumes });
  const section = (title: string, items: string[]) => {
    if (items.length > 0) out(`${title}:\n${items.map((x) => `${x}\n`).join('')}\n`);
  };
  section('Deleted Containers', r.containers);
  section('Deleted Networks', r.networks);
  section('Deleted Volumes', r.volumes);
  section('Deleted Images', [...r.images.untagged.map((t) => `untagged: ${t}`), ...r.images.deleted.map((d) => `deleted: ${d}`)]);
  out(`Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
  return 0;
}
