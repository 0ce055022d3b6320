// top CONTAINER [ps OPTIONS]: the host's ps columns for the container's processes.
import type { CommandContext } from '../main.js';
import { parseArgs } from '../args.js';
import { out, table } from '../render.js';
import { invalid } from '../../common/errors.js';
import { createEngine } from '../../engine/index.js';

export async function topCmd(c: CommandContext): Promise<number> {
  // Everything after the container is ps's, dashes and all (`berth top web -o pid,comm`).
  const p = parseArgs(c.argv, [], { command: c.path, stopAtPositional: true });
  const [ref, ...psArgs] = p.positionals;
  if (!ref) throw invalid('cli.missing_argument', `"berth ${c.path}" requires at least 1 argument`, `usage: berth ${c.path} CONTAINER [ps OPTIONS]`);
  const t = await createEngine(c.config).containers.top(ref, psArgs);
  out(table(t.titles, t.processes));
  return 0;
}
