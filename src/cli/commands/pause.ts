// pause and unpause: freeze and thaw every process of containers, Docker's output (each name).
import type { CommandContext } from '../main.js';
import { parseArgs } from '../args.js';
import { out } from '../render.js';
import { invalid } from '../../common/errors.js';
import { createEngine } from '../../engine/index.js';

async function each(c: CommandContext, verb: 'pause' | 'unpause'): Promise<number> {
  const p = parseArgs(c.argv, [], { command: c.path });
  if (p.positionals.length === 0)
    throw invalid('cli.missing_argument', `"berth ${c.path}" requires at least 1 argument`, `usage: berth ${c.path} CONTAINER [CONTAINER...]`);
  const engine = createEngine(c.config);
  let rc = 0;
  for (const ref of p.positionals) {
    try {
      await (verb === 'pause' ? engine.containers.pause(ref) : engine.containers.unpause(ref));
      out(`${ref}\n`);
    } catch (e) {
      if (p.positionals.length === 1) throw e;
      process.stderr.write(`berth: ${(e as Error).message}\n`);
      rc = 125;
    }
  }
  return rc;
}

export const pauseCmd = (c: CommandContext) => each(c, 'pause');
export const unpauseCmd = (c: CommandContext) => each(c, 'unpause');
