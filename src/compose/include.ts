// `include`: other compose files whose services, networks, volumes, secrets and configs join
// this project's, each read as its own small project (its directory, its .env). A name both
// files define differently is an error, as in Compose; an include cycle is one too.
import { dirname, resolve } from 'node:path';
import { invalid } from '../common/errors.js';
import { readEnvFile } from './envfile.js';
import type { Env } from './interpolate.js';
import { mergeFiles } from './merge.js';

type Map_ = Record<string, unknown>;
const isMap = (v: unknown): v is Map_ => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface IncludeOptions {
  /** The including file (absolute): errors name it, relative include paths start in its directory. */
  file: string;
  env: Env;
  /** Reads one included file with its paths relative to `base` (load.ts's loadFile). */
  load: (path: string, o: { env: Env; base: string }) => Map_;
}

interface Entry {
  paths: string[];
  projectDir?: string;
  envFiles?: string[];
}

function entries(v: unknown, file: string): Entry[] {
  const where = `${file}: include`;
  if (!Array.isArray(v)) throw invalid('compose.invalid', `${where}: must be a list`);
  const dir = dirname(file);
  const strs = (x: unknown, p: string): string[] => {
    if (typeof x === 'string') return [x];
    if (Array.isArray(x) && x.every((y) => typeof y === 'string')) return x;
    throw invalid('compose.invalid', `${p}: must be a path or a list of paths`);
  };
  return v.map((x, i) => {
    const p = `${where}[${i}]`;
    if (typeof x === 'string') return { paths: [resolve(dir, x)] };
    if (!isMap(x)) throw invalid('compose.invalid', `${p}: must be a path or a mapping with path`);
    for (const k of Object.keys(x))
      if (!['path', 'project_directory', 'env_file'].includes(k))
        throw invalid('compose.invalid', `${p}.${k}: not a key of include (path, project_directory, env_file)`);
    if (x.path === undefined) throw invalid('compose.invalid', `${p}: needs a path`);
    const e: Entry = { paths: strs(x.path, `${p}.path`).map((y) => resolve(dir, y)) };
    if (x.project_directory !== undefined) e.projectDir = resolve(dir, strs(x.project_directory, `${p}.project_directory`)[0]!);
    if (x.env_file !== undefined) e.envFiles = strs(x.env_file, `${p}.env_file`).map((y) => resolve(dir, y));
    return e;
  });
}

const SECTIONS = ['services', 'networks', 'volumes', 'secrets', 'configs'];

/** The file with its `include` entries read and their resources added; `include` is gone. */
export function applyIncludes(tree: Map_, o: IncludeOptions): Map_ {
  if (tree.include === undefined || tree.include === null) {
    const { include: _i, ...rest } = tree;
    return rest;
  }
  const { include, ...out } = tree;
  for (const e of entries(include, o.file)) {
    const base = e.projectDir ?? dirname(e.paths[0]!);
    // The included project's .env gives defaults; the including project's variables win.
    const own = (e.envFiles ?? [resolve(base, '.env')]).reduce<Record<string, string>>(
      (acc, f) => ({ ...acc, ...readEnvFile(f, { required: e.envFiles !== undefined, where: `${o.file}: include` }) }),
      {},
    );
    const env = { ...own, ...o.env };
    const loaded = e.paths.map((p) => o.load(p, { env, base })).reduce((a, b) => mergeFiles(a, b));
    for (const section of SECTIONS) {
      const add = loaded[section];
      if (!isMap(add)) continue;
      const have: Map_ = isMap(out[section]) ? { ...(out[section]) } : {};
      for (const [name, v] of Object.entries(add)) {
        if (name in have && JSON.stringify(have[name]) !== JSON.stringify(v)) {
          throw invalid('compose.include_conflict', `${o.file}: include ${e.paths[0]}: ${section}.${name} is also defined by the including file`,
            'rename one of them; an included file cannot be overridden by redefining its names');
        }
        have[name] = v;
      }
      out[section] = have;
    }
  }
  return out;
}
