// diff CONTAINER: "A /path", "C /path", "D /path", one a line, sorted.
import type { CommandContext } from '../main.js';
import { parseArgs } from '../args.js';
import { out } from '../render.js';
import { invalid } from '../../common/errors.js';
import { createEngine } from '../../engine/index.js';

export async function diffCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [], { command: c.path });
  if (p.positionals.length !== 1) throw invalid('cli.bad_args', `"berth ${c.path}" requires exactly 1 argument`, `usage: berth ${c.path} CONTAINER`);
  const changes = await createEngine(c.config).containers.diff(p.positionals[0]!);
  out(changes.map((ch) => `${ch.kind} ${ch.path}\n`).join(''));
  return 0;
}
