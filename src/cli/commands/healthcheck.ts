// `healthcheck run CONTAINER` (Podman's): the container's check once, now. Exit 0 and nothing
// printed when healthy; otherwise the status on stdout and exit 1, as Podman does.
// `container health-runner ID RUN` is the detached runner a start leaves beside conmon.
import type { CommandContext } from '../main.js';
import { parseArgs } from '../args.js';
import { invalid } from '../../common/errors.js';
import { createEngine } from '../../engine/index.js';

export async function healthcheckRunCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [], { command: c.path });
  if (p.positionals.length !== 1) throw invalid('cli.bad_args', `"berth ${c.path}" requires exactly 1 argument`, `usage: berth ${c.path} CONTAINER`);
  const r = await createEngine(c.config).containers.healthcheck(p.positionals[0]!);
  if (r.status === 'healthy') return 0;
  process.stdout.write(`${r.status}\n`);
  return 1;
}

/** Not for users: started detached by a container's start; it must never fail loudly, since nobody reads it. */
export async function healthRunnerCmd(c: CommandContext): Promise<number> {
  const [id, runId] = c.argv;
  if (!id || !runId) return 125;
  await createEngine(c.config).containers.healthRunner(id, runId);
  return 0;
}
