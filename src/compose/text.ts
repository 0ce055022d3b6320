// The two string grammars of compose files: `${VAR}` interpolation (applied to every value, as
// Compose does, so `$$` is a literal dollar) and shell-like word splitting of string commands
// (quotes and backslashes, no expansion: Compose does not run a shell either).
import { invalid } from '../common/errors.js';

const VAR = /\$(?:\$|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * Replaces $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}
 * and $$ in one string. `where` names the value in errors ("services.web.image").
 */
export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>, where: string): string {
  return text.replace(VAR, (whole, braced: string | undefined, bare: string | undefined) => {
    if (whole === '$$') return '$';
    if (bare !== undefined) return env[bare] ?? '';
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])(.*))?$/s.exec(braced ?? '');
    if (!m) throw invalid('compose.bad_interpolation', `${where}: invalid interpolation "${whole}"`, 'write $$ for a literal dollar sign');
    const [, name, colon, op, arg = ''] = m as unknown as [string, string, string | undefined, string | undefined, string | undefined];
    const value = env[name];
    const missing = value === undefined || (colon === ':' && value === '');
    if (op === undefined) return value ?? '';
    if (!missing) return value;
    if (op === '-') return interpolate(arg, env, where);
    throw invalid('compose.missing_variable', `${where}: required variable ${name} is missing${arg ? `: ${arg}` : ''}`);
  });
}

/** Interpolates every string in a parsed YAML tree (values only, never keys). */
export function interpolateTree(node: unknown, env: Readonly<Record<string, string | undefined>>, where = ''): unknown {
  if (typeof node === 'string') return interpolate(node, env, where || '(top level)');
  if (Array.isArray(node)) return node.map((v, i) => interpolateTree(v, env, `${where}[${i}]`));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = interpolateTree(v, env, where ? `${where}.${k}` : k);
    return out;
  }
  return node;
}

/** "sh -c 'echo hi'" → ["sh", "-c", "echo hi"], as Compose's shlex does. */
export function splitWords(text: string, where: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw invalid('compose.bad_command', `${where}: unterminated single quote in "${text}"`);
      cur += text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        // Inside double quotes a backslash escapes only these, as in sh.
        if (text[j] === '\\' && j + 1 < text.length && '"\\$`\n'.includes(text[j + 1]!)) j++;
        cur += text[j];
      }
      if (j >= text.length) throw invalid('compose.bad_command', `${where}: unterminated double quote in "${text}"`);
      i = j;
    } else if (c === '\\') {
      if (i + 1 < text.length) cur += text[++i];
    } else {
      cur += c;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** Compose's rule for project names: lower case, only [a-z0-9_-], starting with a letter or digit. */
export function normalizeProjectName(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[_-]+/, '');
}
