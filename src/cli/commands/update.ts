// update [--memory] [--cpus] [--cpuset-cpus] [--pids-limit] [--memory-swap] [--cpu-shares] ... [--restart] CONTAINER...: new limits
// for running or stopped containers; prints each name, as Docker's.
import { cpus } from 'node:os';
import type { CommandContext } from '../main.js';
import { parseArgs, str, type OptionDef } from '../args.js';
import { invalid } from '../../common/errors.js';
import { parseCpus, parseCpuset, parseSize } from '../../common/units.js';
import { createEngine, parseRestartPolicy, type UpdateRequest } from '../../engine/index.js';
import { eachRef } from '../each-ref.js';
import { RESOURCE_RUN_FLAGS, resourceFlags } from './run-resource-flags.js';

const FLAGS: OptionDef[] = [
  { long: 'memory', short: 'm', type: 'string', description: 'memory limit (e.g. 64m)' },
  { long: 'cpus', type: 'string', description: 'number of CPUs (e.g. 1.5)' },
  { long: 'cpuset-cpus', type: 'string', description: 'CPUs allowed (e.g. 0-1)' },
  { long: 'pids-limit', type: 'string', description: 'maximum number of processes (-1: unlimited)' },
  ...RESOURCE_RUN_FLAGS,
  { long: 'restart', type: 'string', description: 'restart policy: no, on-failure[:N], always, unless-stopped' },
];

export function toUpdateRequest(v: ReturnType<typeof parseArgs>['values'], hostCpus = cpus().length): UpdateRequest {
  const u: UpdateRequest = {};
  const mem = str(v.memory);
  const cpu = str(v.cpus);
  const set = str(v['cpuset-cpus']);
  const pids = str(v['pids-limit']);
  const restart = str(v.restart);
  if (mem !== undefined) u.memory = parseSize(mem, '--memory');
  if (cpu !== undefined) u.cpus = parseCpus(cpu, hostCpus);
  if (set !== undefined) u.cpusetCpus = parseCpuset(set, hostCpus);
  if (pids !== undefined) {
    if (!/^-?\d+$/.test(pids) || (Number(pids) < 1 && pids !== '-1'))
      throw invalid('cli.bad_value', `invalid --pids-limit "${pids}": expected a positive number, or -1 for no limit`);
    u.pidsLimit = Number(pids);
  }
  Object.assign(u, resourceFlags(v));
  if (restart !== undefined) u.restart = parseRestartPolicy(restart, '--restart');
  return u;
}

export async function updateCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, FLAGS, { command: c.path });
  if (p.positionals.length === 0)
    throw invalid('cli.missing_argument', `"berth ${c.path}" requires at least 1 argument`, `usage: berth ${c.path} [OPTIONS] CONTAINER [CONTAINER...]`);
  const req = toUpdateRequest(p.values);
  if (Object.keys(req).length === 0)
    throw invalid('cli.missing_argument', 'you must provide one or more flags when using this command', `see 'berth ${c.path} --help'`);
  const engine = createEngine(c.config);
  return eachRef(p.positionals, async (ref) => {
    await engine.containers.update(ref, req);
    return ref;
  });
}
