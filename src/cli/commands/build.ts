// `berth build`: a Containerfile into an image.
import type { CommandContext } from '../main.js';
import { parseArgs, bool, list, str } from '../args.js';
import { out } from '../render.js';
import { invalid } from '../../common/errors.js';
import { createEngine } from '../../engine/index.js';
import { buildImage } from '../../builder/builder.js';
import { PULL_FLAGS, parsePullPolicy } from './auto-pull.js';
import { progressFor } from './transfer-progress.js';

export async function buildCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [
    { long: 'file', short: 'f', type: 'string' },
    { long: 'tag', short: 't', type: 'string', multiple: true },
    { long: 'build-arg', type: 'string', multiple: true, description: 'set a build-time variable (NAME=VALUE)' },
    { long: 'target', type: 'string', description: 'build the stage of this name and stop' },
    { long: 'no-cache', type: 'boolean' },
    { long: 'network', type: 'string', description: 'network for RUN instructions: none (default) or host' },
    { long: 'quiet', short: 'q', type: 'boolean' },
    ...PULL_FLAGS,
    { long: 'help', type: 'boolean' },
  ], { command: c.path });
  const [context, ...extra] = p.positionals;
  if (!context || extra.length > 0)
    throw invalid('cli.missing_argument', `"berth ${c.path}" requires exactly 1 argument (the context directory)`,
      `usage: berth ${c.path} [-f Containerfile] [-t NAME[:TAG]]... [--build-arg K=V]... [--target STAGE] [--no-cache] [--network none|host] [--pull always|missing|never] CONTEXT`);
  const network = str(p.values.network) ?? 'none';
  if (network !== 'none' && network !== 'host') throw invalid('cli.bad_value', `--network ${network}: a build runs with network none or host`);
  const buildArgs: Record<string, string> = {};
  for (const a of list(p.values['build-arg'])) {
    const i = a.indexOf('=');
    if (i <= 0) {
      const v = process.env[a];
      if (v === undefined) continue;
      buildArgs[a] = v;
    } else buildArgs[a.slice(0, i)] = a.slice(i + 1);
  }
  const quiet = bool(p.values.quiet);
  const pull = parsePullPolicy(str(p.values.pull));
  const pr = progressFor('Copying', quiet);
  const file = str(p.values.file);
  const target = str(p.values.target);
  const r = await buildImage(createEngine(c.config), {
    contextDir: context,
    ...(file !== undefined ? { file } : {}),
    ...(target !== undefined ? { target } : {}),
    tags: list(p.values.tag),
    buildArgs,
    noCache: bool(p.values['no-cache']),
    network,
    log: quiet ? () => undefined : (t) => process.stderr.write(`${t}\n`),
    pull,
    pullOptions: { tlsVerify: p.values['tls-verify'] !== false, ...(pr.progress ? { progress: pr.progress } : {}) },
  }).finally(() => pr.finish());
  out(`${r.id.replace(/^sha256:/, '')}\n`);
  return 0;
}
