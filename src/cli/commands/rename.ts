// rename CONTAINER NEW_NAME: silent on success, as Docker's.
import type { CommandContext } from '../main.js';
import { parseArgs } from '../args.js';
import { invalid } from '../../common/errors.js';
import { createEngine } from '../../engine/index.js';

export async function renameCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [], { command: c.path });
  if (p.positionals.length !== 2) throw invalid('cli.bad_args', `"berth ${c.path}" requires exactly 2 arguments`, `usage: berth ${c.path} CONTAINER NEW_NAME`);
  await createEngine(c.config).containers.rename(p.positionals[0]!, p.positionals[1]!);
  return 0;
}
