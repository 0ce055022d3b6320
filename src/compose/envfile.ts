// .env files: the project's (variables for interpolation) and a service's env_file (variables
// for its containers). One grammar for both, as Compose's dotenv: KEY=VALUE lines, `export`,
// # comments, single quotes literal, double quotes with \n escapes, ${VAR} expanded in
// unquoted and double-quoted values from the lines above and the given environment.
import { readFileSync } from 'node:fs';
import { invalid, notFound } from '../common/errors.js';
import { interpolate, type Env } from './interpolate.js';

const LINE = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:=\s*(.*))?$/s;

/** Parses the text of an env file; `where` names it in errors, `env` feeds ${VAR} in values. */
export function parseEnvFile(text: string, where: string, env: Env = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) throw invalid('compose.bad_env_file', `${where}: line ${n + 1}: expected KEY=VALUE, not "${line.length > 40 ? `${line.slice(0, 40)}...` : line}"`);
    const key = m[1]!;
    if (m[2] === undefined) {
      // A bare KEY takes the caller's value, or is left out, as Compose does.
      const v = env[key];
      if (v !== undefined) out[key] = v;
      continue;
    }
    let v = m[2];
    const q = v[0];
    if (q === "'" || q === '"') {
      // A quoted value may run over several lines.
      let end = v.indexOf(q, 1);
      while (end < 0 && n + 1 < lines.length) {
        v += `\n${lines[++n]!}`;
        end = v.indexOf(q, 1);
      }
      if (end < 0) throw invalid('compose.bad_env_file', `${where}: line ${n + 1}: unterminated ${q === '"' ? 'double' : 'single'} quote in ${key}`);
      const inner = v.slice(1, end);
      out[key] = q === "'" ? inner
        : expand(inner.replace(/\\([nrt"\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' }[c] ?? c)), { ...env, ...out }, `${where}: ${key}`);
    } else {
      // An unquoted value ends at a # that follows a space.
      const hash = v.search(/\s#/);
      if (hash >= 0) v = v.slice(0, hash);
      out[key] = expand(v.trim(), { ...env, ...out }, `${where}: ${key}`);
    }
  }
  return out;
}

function expand(v: string, env: Env, where: string): string {
  return v.includes('$') ? interpolate(v, { env }, where) : v;
}

/** Reads and parses one env file; a missing one is an error unless `required` is false. */
export function readEnvFile(path: string, o: { required: boolean; env?: Env; where?: string; hint?: string }): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !o.required) return {};
    throw notFound('compose.no_env_file', `${o.where ? `${o.where}: ` : ''}cannot read env file ${path}: ${code ?? (e as Error).message}`,
      code === 'ENOENT' ? o.hint : undefined);
  }
  return parseEnvFile(text, path, o.env ?? {});
}
