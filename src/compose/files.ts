// Which compose files make the project: -f, else COMPOSE_FILE, else compose.yaml (or its older
// names) in the current directory or the nearest parent that has one, with compose.override.yaml
// beside it. Only names are decided here; load.ts reads them.
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { notFound } from '../common/errors.js';
import type { Env } from './interpolate.js';

/** Compose's default names, in its order of preference. */
export const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

export function findComposeFile(dir: string): string | undefined {
  for (const f of DEFAULT_FILES) {
    const p = join(dir, f);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** compose.yaml → compose.override.yaml or .yml beside it, if there is one. */
export function overrideFile(file: string): string | undefined {
  const stem = basename(file).replace(/\.ya?ml$/, '');
  for (const ext of ['yaml', 'yml']) {
    const p = join(dirname(file), `${stem}.override.${ext}`);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export interface FileChoice {
  /** -f FILE, in order; relative to cwd. */
  files?: readonly string[] | undefined;
  cwd: string;
  /** For COMPOSE_FILE and COMPOSE_PATH_SEPARATOR. */
  env: Env;
}

/** The files of the project, absolute, in merge order. */
export function composeFiles(o: FileChoice): string[] {
  if (o.files && o.files.length > 0) return o.files.map((f) => resolve(o.cwd, f));
  const fromEnv = o.env.COMPOSE_FILE;
  if (fromEnv) return fromEnv.split(o.env.COMPOSE_PATH_SEPARATOR || ':').filter(Boolean).map((f) => resolve(o.cwd, f));
  for (let dir = resolve(o.cwd);; dir = dirname(dir)) {
    const found = findComposeFile(dir);
    if (found) {
      const over = overrideFile(found);
      return over ? [found, over] : [found];
    }
    if (dir === dirname(dir)) break;
  }
  throw notFound('compose.no_file', `no compose file found in ${o.cwd} or its parents`, `create ${DEFAULT_FILES[0]} or give one with -f FILE`);
}
