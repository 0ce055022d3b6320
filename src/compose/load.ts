// Finding, reading and parsing a compose file. The only part of compose that reads files.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { invalid, notFound } from '../common/errors.js';
import type { ComposeProject } from './model.js';
import { normalizeCompose } from './normalize.js';
import { interpolateTree } from './text.js';

/** Compose's default names, in its order of preference. */
export const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

export function findComposeFile(dir: string): string | undefined {
  for (const f of DEFAULT_FILES) {
    const p = join(dir, f);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Parses YAML text; anchors and merge keys work, duplicate keys and syntax errors do not. */
export function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
  const err = doc.errors[0];
  if (err) {
    const where = err.linePos?.[0] ? ` (line ${err.linePos[0].line}, column ${err.linePos[0].col})` : '';
    throw invalid('compose.bad_yaml', `${file}: invalid YAML${where}: ${err.message.split('\n')[0]}`);
  }
  return doc.toJS({ maxAliasCount: 1000 }) as unknown;
}

/** KEY=VALUE lines of a .env file; # comments; optional matching quotes around the value. */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!;
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0])) v = v.slice(1, -1);
    out[m[1]!] = v;
  }
  return out;
}

export interface LoadOptions {
  /** -f; else the default names in cwd. */
  file?: string;
  projectName?: string;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** Reads and checks a compose file. Nothing on the host is touched. */
export function loadProject(o: LoadOptions): ComposeProject {
  const path = o.file ? resolve(o.cwd, o.file) : findComposeFile(o.cwd);
  if (!path) {
    throw notFound('compose.no_file', `no compose file found in ${o.cwd}`, `create ${DEFAULT_FILES[0]} or give one with -f FILE`);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw notFound('compose.no_file', `cannot read compose file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const dir = dirname(path);
  const dotEnvPath = join(dir, '.env');
  // The process environment wins over .env, as in Compose.
  const env = { ...(existsSync(dotEnvPath) ? parseDotEnv(readFileSync(dotEnvPath, 'utf8')) : {}), ...o.env };
  const label = basename(path);
  const raw = interpolateTree(parseYaml(text, label), env);
  return normalizeCompose(raw, {
    file: label, workingDir: dir, env,
    ...(o.projectName !== undefined ? { projectName: o.projectName } : {}),
  });
}
