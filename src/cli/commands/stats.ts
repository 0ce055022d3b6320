// stats --no-stream [--all] [--format]: one sample of each container's usage, Docker's columns.
// Without --no-stream it redraws every second until interrupted, as Docker's does.
import type { CommandContext } from '../main.js';
import { parseArgs, bool, str, type OptionDef } from '../args.js';
import { out, table } from '../render.js';
import { humanSize } from '../../common/units.js';
import { shortId } from '../../common/ids.js';
import { createEngine, type StatsLine } from '../../engine/index.js';

const FLAGS: OptionDef[] = [
  { long: 'all', short: 'a', type: 'boolean', description: 'show all containers (default shows just running)' },
  { long: 'no-stream', type: 'boolean', description: 'print one sample and exit' },
  { long: 'no-trunc', type: 'boolean', description: 'do not truncate output' },
  { long: 'format', type: 'string', description: 'table, json, or a Go template such as {{.Name}} {{.CPUPerc}}' },
];

const pct = (n: number) => `${n.toFixed(2)}%`;
/** Docker's stats uses binary units for memory ("1.5MiB") and decimal for I/O ("1.2kB"). */
export function binSize(n: number): string {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  // Go's %.4g, as docker/go-units' BytesSize: four significant digits, no trailing zeros.
  return `${Number.parseFloat(v.toPrecision(4))}${u[i]}`;
}

/** The fields Docker's stats templates name. */
export function statsDoc(s: StatsLine, noTrunc: boolean): Record<string, string> {
  return {
    ID: noTrunc ? s.id : shortId(s.id),
    Container: noTrunc ? s.id : shortId(s.id),
    Name: s.name,
    CPUPerc: pct(s.cpuPercent),
    MemUsage: `${binSize(s.memUsage)} / ${binSize(s.memLimit)}`,
    MemPerc: pct(s.memPercent),
    NetIO: `${humanSize(s.netRx)} / ${humanSize(s.netTx)}`,
    BlockIO: `${humanSize(s.blkRead)} / ${humanSize(s.blkWrite)}`,
    PIDs: String(s.pids),
  };
}

const COLUMNS: [string, string][] = [['CONTAINER ID', 'ID'], ['NAME', 'Name'], ['CPU %', 'CPUPerc'], ['MEM USAGE / LIMIT', 'MemUsage'], ['MEM %', 'MemPerc'], [
  'NET I/O',
  'NetIO',
], ['BLOCK I/O', 'BlockIO'], ['PIDS', 'PIDs']];

async function render(lines: StatsLine[], format: string, noTrunc: boolean): Promise<string> {
  const docs = lines.map((l) => statsDoc(l, noTrunc));
  if (format === 'table') return table(COLUMNS.map((x) => x[0]), docs.map((d) => COLUMNS.map(([, k]) => d[k] ?? '')));
  const { formatList } = await import('../list-format.js');
  return formatList(format, { ...Object.fromEntries(COLUMNS.map(([h, k]) => [k, h])), Container: 'CONTAINER' }, docs, 'stats');
}

export async function statsCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, FLAGS, { command: c.path });
  const engine = createEngine(c.config);
  const format = str(p.values.format) ?? 'table';
  const noTrunc = bool(p.values['no-trunc']);
  const req = { refs: p.positionals, all: bool(p.values.all) };
  // A template that does not parse fails before any sampling.
  if (format !== 'table' && format !== 'json') (await import('../template.js')).compileTemplate(format.replace(/^table /, ''));
  if (bool(p.values['no-stream'])) {
    out(await render(await engine.containers.stats(req), format, noTrunc));
    return 0;
  }
  let stop = false;
  process.once('SIGINT', () => {
    stop = true;
  });
  while (!stop) {
    const text = await render(await engine.containers.stats(req), format, noTrunc);
    if (stop) break;
    out(`${process.stdout.isTTY ? '\x1b[2J\x1b[H' : ''}${text}`);
  }
  return 0;
}
