// pause and unpause: freeze and thaw every process of containers, Docker's output (each name).
import type { CommandContext } from '../main.js';
import { parseArgs } from '../args.js';
import { invalid } from '../../common/errors.js';
import { createEngine } from '../../engine/index.js';
import { eachRef } from '../each-ref.js';

async function each(c: CommandContext, verb: 'pause' | 'unpause'): Promise<number> {
  const p = parseArgs(c.argv, [], { command: c.path });
  if (p.positionals.length === 0)
    throw invalid('cli.missing_argument', `"berth ${c.path}" requires at least 1 argument`, `usage: berth ${c.path} CONTAINER [CONTAINER...]`);
  const engine = createEngine(c.config);
  return eachRef(p.positionals, async (ref) => {
    await (verb === 'pause' ? engine.containers.pause(ref) : engine.containers.unpause(ref));
    return ref;
  });
}

export const pauseCmd = (c: CommandContext) => each(c, 'pause');
export const unpauseCmd = (c: CommandContext) => each(c, 'unpause');
