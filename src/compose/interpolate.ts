// `${VAR}` interpolation as the compose-spec defines it, applied to every string value of a
// file before anything else reads it. `$$` is a literal dollar. Defaults and alternatives may
// nest (`${A:-${B:-x}}`), so braces are matched rather than found by a regular expression.
import { invalid } from '../common/errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface InterpolateOptions {
  env: Env;
  /** Prefixed to the paths in errors ("compose.yaml"). */
  file?: string;
  /** Called once per plain reference to a variable that is not set (Compose warns). */
  onUnset?: (name: string) => void;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const BRACED = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])([\s\S]*))?$/;

/** Index of the `}` closing the `{` at `open`, or -1. Inner `${...}` nest; `$$` is skipped. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '$' && text[i + 1] === '$') {
      i++;
      continue;
    }
    if (c === '$' && text[i + 1] === '{') {
      depth++;
      i++;
      continue;
    }
    if (c === '{' && i === open) {
      depth++;
      continue;
    }
    if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * Replaces $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message},
 * ${VAR:+alternative}, ${VAR+alternative} and $$ in one string. `where` names the value in
 * errors ("services.web.image"). A `$` followed by anything else stays a `$`.
 */
export function interpolate(text: string, o: InterpolateOptions, where: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(text, i + 1);
      if (end < 0)
        throw invalid('compose.bad_interpolation', `${where}: invalid interpolation "${text.slice(i)}": no closing }`, 'write $$ for a literal dollar sign');
      out += braced(text.slice(i + 2, end), o, where);
      i = end + 1;
      continue;
    }
    const m = NAME.exec(text.slice(i + 1));
    if (m) {
      out += plain(m[0], o);
      i += 1 + m[0].length;
      continue;
    }
    out += '$';
    i++;
  }
  return out;
}

function plain(name: string, o: InterpolateOptions): string {
  const v = o.env[name];
  if (v === undefined) o.onUnset?.(name);
  return v ?? '';
}

function braced(body: string, o: InterpolateOptions, where: string): string {
  const m = BRACED.exec(body);
  if (!m) throw invalid('compose.bad_interpolation', `${where}: invalid interpolation "\${${body}}"`, 'write $$ for a literal dollar sign');
  const name = m[1]!;
  const op = m[3];
  if (op === undefined) return plain(name, o);
  const colon = m[2] === ':';
  const arg = m[4] ?? '';
  const value = o.env[name];
  // With a colon an empty value counts as missing, as in sh.
  const present = value !== undefined && !(colon && value === '');
  switch (op) {
    case '-':
      return present ? value : interpolate(arg, o, where);
    case '+':
      return present ? interpolate(arg, o, where) : '';
    default: {
      if (present) return value;
      const msg = interpolate(arg, o, where);
      throw invalid('compose.missing_variable', `${where}: required variable ${name} is missing a value${msg ? `: ${msg}` : ''}`);
    }
  }
}

/** Interpolates every string in a parsed YAML tree (values only, never keys). */
export function interpolateTree(node: unknown, o: InterpolateOptions, where = ''): unknown {
  if (typeof node === 'string') return interpolate(node, o, `${o.file ? `${o.file}: ` : ''}${where || '(top level)'}`);
  if (Array.isArray(node)) return node.map((v, i) => interpolateTree(v, o, `${where}[${i}]`));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = interpolateTree(v, o, where ? `${where}.${k}` : k);
    return out;
  }
  return node;
}
