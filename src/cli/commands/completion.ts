// completion bash|zsh|fish: a completion script generated from the CLI's own command table and
// each verb's flag table (the one parseArgs reads), so it cannot drift from what berth accepts.
// Names of containers, images, networks and volumes come at TAB time from the hidden
// `berth __complete KIND`, with the root flags the user typed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext, Handler } from '../main.js';
import { isHelpRequested, parseArgs, type OptionDef } from '../args.js';
import { invalid } from '../../common/errors.js';
import { createEngine } from '../../engine/index.js';
import { out } from '../render.js';
import { bashScript, fishScript, zshScript, type VerbTable } from '../completion/scripts.js';
import { ARG_KINDS, type NameKind } from '../completion/kinds.js';

/** Verbs that are no user's to complete, or that parse their own words (compose, kube). */
const HIDDEN = (v: string) => v === 'container cleanup' || v === '__complete' || v.startsWith('compose') || v.startsWith('kube ');

export async function completionCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [], { command: c.path });
  const shell = p.positionals[0];
  if (p.positionals.length !== 1 || !['bash', 'zsh', 'fish'].includes(shell!)) {
    throw invalid('cli.bad_args', `"berth ${c.path}" requires one argument: bash, zsh or fish`, `usage: berth ${c.path} bash|zsh|fish`);
  }
  const table = await verbTable(c);
  out(shell === 'bash' ? bashScript(table) : shell === 'zsh' ? zshScript(table) : fishScript(table));
  return 0;
}

/** Every verb with the flags its own parser declares (asked for as `VERB --help` would, without printing). */
async function verbTable(c: CommandContext): Promise<VerbTable> {
  const verbs: VerbTable = new Map();
  for (const [verb, load] of Object.entries(c.commands)) {
    if (HIDDEN(verb)) continue;
    verbs.set(verb, { flags: await flagsOf(c, verb, load), args: ARG_KINDS[verb] ?? [] });
  }
  for (const noun of ['compose', 'kube'])
    if (Object.keys(c.commands).some((v) => v === noun || v.startsWith(`${noun} `))) verbs.set(noun, { flags: [], args: [] });
  return verbs;
}

async function flagsOf(c: CommandContext, verb: string, load: () => Promise<Handler>): Promise<readonly OptionDef[]> {
  if (verb === 'version' || verb === 'completion') return [];
  try {
    await (await load())({ ...c, argv: ['--help'], path: verb });
  } catch (e) {
    if (isHelpRequested(e)) return e.defs;
  }
  return [];
}

/** `__complete KIND`: one name a line, nothing when this root has no instances file yet. */
export async function namesCmd(c: CommandContext): Promise<number> {
  const kind = c.argv[0] as NameKind | undefined;
  if (!existsSync(join(c.config.paths.root, 'berth.db'))) return 0;
  const engine = createEngine(c.config);
  let names: string[] = [];
  switch (kind) {
    case 'containers':
      names = (await engine.containers.list()).map((x) => x.name);
      break;
    case 'running':
      names = (await engine.containers.list()).filter((x) => x.status === 'running').map((x) => x.name);
      break;
    case 'images':
      // As stored, and as a user types them: without the localhost/ or docker.io/library/ a short name gets.
      names = (await engine.images.list()).flatMap((i) => {
        if (i.repository === '<none>') return [];
        const short = i.repository.replace(/^(localhost|docker\.io\/library)\//, '');
        return short === i.repository ? [`${i.repository}:${i.tag}`] : [`${i.repository}:${i.tag}`, `${short}:${i.tag}`];
      });
      break;
    case 'networks':
      names = (await engine.networks.list()).map((n) => n.name);
      break;
    case 'volumes':
      names = (await engine.volumes.list()).map((v) => v.name);
      break;
    case undefined:
      throw invalid('cli.bad_args', 'usage: berth __complete containers|running|images|networks|volumes');
  }
  out(names.map((n) => `${n}\n`).join(''));
  return 0;
}
