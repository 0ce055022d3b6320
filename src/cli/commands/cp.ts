// cp CONTAINER:SRC DEST|-  and  cp SRC|- CONTAINER:DEST. A path is the container's when it
// starts with NAME: (an absolute or ./ path never does, as in Docker).
import type { CommandContext } from '../main.js';
import { parseArgs, bool, type OptionDef } from '../args.js';
import { invalid } from '../../common/errors.js';
import { createEngine } from '../../engine/index.js';

const FLAGS: OptionDef[] = [
  { long: 'archive', short: 'a', type: 'boolean', description: 'archive mode (copy all UID/GID information)' },
  { long: 'follow-link', short: 'L', type: 'boolean', description: 'always follow symbol link in SRC_PATH' },
  { long: 'quiet', short: 'q', type: 'boolean', description: 'suppress progress output (berth prints none)' },
];

/** "web:/etc/x" → { ctr: 'web', path: '/etc/x' }; a host path → { path }. */
export function splitCpArg(arg: string): { ctr?: string; path: string } {
  if (arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const i = arg.indexOf(':');
  if (i <= 0) return { path: arg };
  return { ctr: arg.slice(0, i), path: arg.slice(i + 1) || '/' };
}

export async function cpCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, FLAGS, { command: c.path });
  const usage = `usage: berth ${c.path} [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-  or  berth ${c.path} [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH`;
  if (p.positionals.length !== 2) throw invalid('cli.bad_args', `"berth ${c.path}" requires exactly 2 arguments`, usage);
  const src = splitCpArg(p.positionals[0]!);
  const dst = splitCpArg(p.positionals[1]!);
  const opts = { archive: bool(p.values.archive), followLink: bool(p.values['follow-link']) };
  const engine = createEngine(c.config);
  if (src.ctr !== undefined && dst.ctr !== undefined) throw invalid('cp.both_containers', 'copying between containers is not supported', usage);
  if (src.ctr === undefined && dst.ctr === undefined) throw invalid('cp.no_container', 'must specify at least one container source', usage);
  if (src.ctr !== undefined) {
    await engine.containers.copyFrom(src.ctr, src.path, dst.path === '-' ? { stream: process.stdout } : { path: dst.path }, opts);
  } else {
    await engine.containers.copyTo(dst.ctr!, src.path === '-' ? { stream: process.stdin } : { path: src.path }, dst.path, opts);
  }
  return 0;
}
