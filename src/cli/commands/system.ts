// `system` verbs: boot (what contrib/systemd/berth-boot.service runs), check [--repair], df, and
// recover (the records rebuilt from the copies kept beside the containers and networks).
import type { CommandContext } from '../main.js';
import { parseArgs, bool, str, type OptionDef } from '../args.js';
import { json, out, table } from '../render.js';
import { invalid } from '../../common/errors.js';
import { createEngine, type StartAllReport } from '../../engine/index.js';

const HELP: OptionDef = { long: 'help', type: 'boolean' };

export async function systemCmd(c: CommandContext): Promise<number> {
  const [verb, ...rest] = c.argv;
  switch (verb ?? '') {
    case 'boot':
      return bootCmd({ ...c, argv: rest, path: 'system boot' });
    case 'check':
      return checkCmd({ ...c, argv: rest, path: 'system check' });
    case 'df':
      return (await import('./archive.js')).systemCmd(c);
    case 'recover':
      return recoverCmd({ ...c, argv: rest, path: 'system recover' });
    default:
      throw invalid('cli.unknown_command', `unknown command "system ${verb ?? ''}"`.trimEnd(), 'berth system boot|check|df|recover');
  }
}

/** Prints the started containers, one name a line, and each failure on stderr; 125 if any failed. */
export function reportStarts(r: StartAllReport): number {
  for (const s of r.started) out(`${s.name}\n`);
  for (const f of r.failed) process.stderr.write(`berth: cannot start ${f.container.name}: ${f.message}\n`);
  return r.failed.length > 0 ? 125 : 0;
}

/** `system recover`: the records rebuilt from the copies beside them, one line each. */
export async function recoverCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [HELP], { command: c.path });
  if (p.positionals.length > 0) throw invalid('cli.bad_args', '"berth system recover" takes no arguments');
  const r = await createEngine(c.config).system.recoverRecords();
  for (const x of r.recovered) out(`recovered ${x.id.slice(0, 12)} ${x.name} (${x.status})\n`);
  for (const x of r.skipped) process.stderr.write(`berth: not recovered: ${x.id.slice(0, 12)}: ${x.reason}\n`);
  out(
    `${r.recovered.length} recovered, ${r.present} already recorded, ${r.skipped.length} not recovered; ${r.networks} network${
      r.networks === 1 ? '' : 's'
    } recovered\n`,
  );
  return r.skipped.length > 0 ? 1 : 0;
}

export async function bootCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [HELP], { command: c.path });
  if (p.positionals.length > 0) throw invalid('cli.bad_args', '"berth system boot" takes no arguments');
  return reportStarts(await createEngine(c.config).system.boot());
}

export async function checkCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'repair', short: 'r', type: 'boolean', description: 'mend what was found (each finding says what it would do)' }, {
    long: 'format',
    type: 'string',
  }, HELP], { command: c.path });
  if (p.positionals.length > 0) throw invalid('cli.bad_args', '"berth system check" takes no arguments');
  const repair = bool(p.values.repair);
  const r = await createEngine(c.config).system.check({ repair });
  if (str(p.values.format) === 'json') {
    out(json({ Findings: r.findings, Repaired: r.repaired, Failed: r.failed.map((f) => ({ ...f.finding, Error: f.message })) }));
    return r.findings.length > 0 ? 1 : 0;
  }
  if (r.findings.length === 0) {
    out('no problems found\n');
    return 0;
  }
  const outcome = (i: number): string => {
    if (!repair) return r.findings[i]!.action;
    const f = r.failed.find((x) => x.finding.kind === r.findings[i]!.kind && x.finding.object === r.findings[i]!.object);
    return f ? `not mended: ${f.message}` : `done: ${r.findings[i]!.action}`;
  };
  out(table(['KIND', 'OBJECT', 'PROBLEM', repair ? 'REPAIR' : 'ACTION'], r.findings.map((f, i) => [f.kind, f.object, f.problem, outcome(i)])));
  out(repair
    ? `${r.findings.length} problem(s) found, ${r.repaired.length} mended, ${r.failed.length} not\n`
    : `${r.findings.length} problem(s) found; run "berth system check --repair" to mend them\n`);
  return 1;
}
