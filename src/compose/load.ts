// Reading a project: its files (files.ts), its variables (.env, --env-file, the shell), each
// file parsed, interpolated, with absolute paths, `extends` and `include` resolved, then the
// files merged, profiles applied, env files read, every key checked (keys.ts) and the result
// normalized. The only part of compose that reads files.
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { invalid, notFound } from '../common/errors.js';
import { readEnvFile } from './envfile.js';
import { resolveExtends } from './extends.js';
import { composeFiles } from './files.js';
import { applyIncludes } from './include.js';
import { interpolateTree, type Env } from './interpolate.js';
import { checkKeys } from './keys.js';
import { mergeFiles, prepareService } from './merge.js';
import type { ComposeProject } from './model.js';
import { normalizeCompose } from './normalize.js';
import { absolutePaths } from './paths.js';
import { applyProfiles } from './profiles.js';
import { parseYaml, stripTags } from './yaml.js';

export { DEFAULT_FILES, findComposeFile } from './files.js';
export { parseYaml } from './yaml.js';

type Map_ = Record<string, unknown>;
const isMap = (v: unknown): v is Map_ => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface LoadOptions {
  /** -f, in order; else COMPOSE_FILE; else the default names in cwd or above. */
  files?: readonly string[];
  /** One -f (kept for callers that have one). */
  file?: string;
  /** -p; else COMPOSE_PROJECT_NAME; else the file's name:; else the project directory's name. */
  projectName?: string;
  /** --project-directory; else the first file's directory. */
  projectDirectory?: string;
  /** --env-file, in order, instead of the project directory's .env. */
  envFiles?: readonly string[];
  /** --profile; COMPOSE_PROFILES is added. */
  profiles?: readonly string[];
  /** Services named on the command line: their profiles are activated. */
  services?: readonly string[];
  cwd: string;
  env: Env;
  /** Non-fatal findings (unset variables, swarm keys), one line each. */
  warn?: (line: string) => void;
}

/** Variables from env files, then the shell's, which win as in Compose. */
function projectEnv(o: LoadOptions, dir: string): Record<string, string | undefined> {
  const files = o.envFiles && o.envFiles.length > 0 ? o.envFiles.map((f) => ({ path: resolve(o.cwd, f), required: true }))
    : [{ path: resolve(dir, '.env'), required: false }];
  const fromFiles = files.reduce<Record<string, string>>((acc, f) => ({ ...acc, ...readEnvFile(f.path, { required: f.required, env: { ...acc, ...o.env } }) }),
    {});
  return { ...fromFiles, ...o.env };
}

/** Reads and checks a project. Nothing on the host is touched. */
export function loadProject(o: LoadOptions): ComposeProject {
  // COMPOSE_FILE and COMPOSE_PROJECT_NAME may come from the .env of the current directory.
  const early = projectEnv(o, o.cwd);
  const files = composeFiles({ files: o.files ?? (o.file !== undefined ? [o.file] : undefined), cwd: o.cwd, env: early });
  const dir = o.projectDirectory !== undefined ? resolve(o.cwd, o.projectDirectory) : dirname(files[0]!);
  const env = dir === o.cwd ? early : projectEnv(o, dir);
  const label = basename(files[0]!);
  const unset = new Set<string>();
  const read: string[] = [];

  const loadFile = (path: string, lo: { env: Env; base: string; chain: readonly string[] }): Map_ => {
    if (lo.chain.includes(path)) throw invalid('compose.include_cycle', `${lo.chain[lo.chain.length - 1]}: include cycle: ${[...lo.chain, path].join(' -> ')}`);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw notFound('compose.no_file', `cannot read compose file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    read.push(path);
    const raw = parseYaml(text, basename(path));
    if (raw === null || raw === undefined) throw invalid('compose.invalid', `${basename(path)}: the file is empty`);
    if (!isMap(raw)) throw invalid('compose.invalid', `${basename(path)}: (top level): must be a mapping`);
    const interpolated = interpolateTree(raw, { env: lo.env, file: basename(path), onUnset: (n) => unset.add(n) }) as Map_;
    const chain = [...lo.chain, path];
    const abs = absolutePaths(interpolated, { dir: lo.base, home: lo.env.HOME ?? '/root' });
    const extended = resolveExtends(abs, { file: path, load: (p) => loadFile(p, { env: lo.env, base: dirname(p), chain }) });
    return applyIncludes(extended, { file: path, env: lo.env, load: (p, io) => loadFile(p, { ...io, chain }) });
  };

  let tree = files.map((f) => loadFile(f, { env, base: dir, chain: [] })).reduce((a, b) => mergeFiles(a, b));
  tree = stripTags(tree) as Map_;
  for (const n of unset) o.warn?.(`The "${n}" variable is not set. Defaulting to a blank string.`);
  if (isMap(tree.services)) tree.services = Object.fromEntries(Object.entries(tree.services).map(([k, s]) => [k, isMap(s) ? prepareService(s) : s]));
  const profiles = [...(o.profiles ?? []), ...(env.COMPOSE_PROFILES ?? '').split(',').map((p) => p.trim()).filter(Boolean)];
  tree = applyProfiles(tree, { active: profiles, ...(o.services ? { targets: o.services } : {}) }, label);
  for (const w of checkKeys(tree, label)) o.warn?.(w);
  tree = applyEnvFiles(tree, env);
  const projectName = o.projectName ?? (env.COMPOSE_PROJECT_NAME || undefined);
  return normalizeCompose(tree, {
    file: label,
    workingDir: dir,
    env,
    configFiles: [...new Set(read)],
    ...(o.warn ? { warn: o.warn } : {}),
    ...(projectName !== undefined ? { projectName } : {}),
  });
}

/** Each service's env_file read into its environment, under what `environment` sets itself. */
function applyEnvFiles(tree: Map_, env: Env): Map_ {
  if (!isMap(tree.services)) return tree;
  const services: Map_ = {};
  for (const [name, s] of Object.entries(tree.services)) {
    if (!isMap(s) || s.env_file === undefined) {
      services[name] = s;
      continue;
    }
    const { env_file: ef, ...rest } = s;
    const where = `services.${name}.env_file`;
    if (!Array.isArray(ef)) throw invalid('compose.invalid', `${where}: must be a path or a list of paths`);
    let fromFiles: Record<string, string> = {};
    ef.forEach((e, i) => {
      let path: unknown = e;
      let required = true;
      if (isMap(e)) {
        for (const k of Object.keys(e))
          if (!['path', 'required', 'format'].includes(k))
            throw invalid('compose.invalid', `${where}[${i}].${k}: not a key of env_file (path, required, format)`);
        if (e.format !== undefined && e.format !== 'raw' && e.format !== 'dotenv')
          throw invalid('compose.invalid', `${where}[${i}].format: must be dotenv or raw`);
        if (e.required !== undefined && typeof e.required !== 'boolean') throw invalid('compose.invalid', `${where}[${i}].required: must be true or false`);
        path = e.path;
        required = e.required !== false;
      }
      if (typeof path !== 'string') throw invalid('compose.invalid', `${where}[${i}]: must be a path or a mapping with path`);
      fromFiles = { ...fromFiles, ...readEnvFile(path, { required, env, where: `${where}[${i}]`, hint: 'create it, or mark it required: false' }) };
    });
    if (rest.environment !== undefined && !isMap(rest.environment)) {
      services[name] = rest;
      continue;
    } // normalize reports it
    const explicit = rest.environment ?? {};
    const environment: Map_ = { ...fromFiles };
    for (const [k, v] of Object.entries(explicit)) {
      // A bare KEY takes the shell's value; if the shell has none, the env file's stays.
      if (v === null && env[k] === undefined && k in fromFiles) continue;
      environment[k] = v;
    }
    services[name] = { ...rest, environment };
  }
  return { ...tree, services };
}
