// Containerfile syntax: lines (with `\` continuations and # comments) into instructions, and the
// word and variable rules the instructions share. Pure; the builder gives it meaning.
import { invalid } from '../common/errors.js';

export const INSTRUCTIONS = [
  'FROM',
  'RUN',
  'COPY',
  'ADD',
  'ENV',
  'ARG',
  'WORKDIR',
  'USER',
  'LABEL',
  'EXPOSE',
  'VOLUME',
  'ENTRYPOINT',
  'CMD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
  'MAINTAINER',
  'ONBUILD',
] as const;
export type Keyword = (typeof INSTRUCTIONS)[number];

export interface Instruction {
  keyword: Keyword;
  /** --name=value flags before the arguments (COPY --from, --chown, --chmod; FROM --platform; HEALTHCHECK options). */
  flags: Record<string, string>;
  /** The rest of the line after the flags, continuations joined. */
  args: string;
  /** The JSON array form, when the arguments are one. */
  json: string[] | undefined;
  line: number;
  /** The instruction as written (for messages and history). */
  text: string;
}

function bad(line: number, why: string) {
  return invalid('build.syntax', `Containerfile line ${line}: ${why}`);
}

/** Splits a Containerfile into instructions. Unknown keywords are refused by name. */
export function parseContainerfile(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  const out: Instruction[] = [];
  let inHeader = true;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (inHeader) {
      const d = /^#\s*escape\s*=\s*(\S)\s*$/i.exec(trimmed);
      if (d) {
        escape = d[1]!;
        continue;
      }
      if (/^#\s*\w+\s*=/.test(trimmed)) continue;
    }
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    inHeader = false;
    const start = i + 1;
    let joined = '';
    let cur = raw;
    for (;;) {
      const t = cur.replace(/\s+$/, '');
      if (t.endsWith(escape) && !t.endsWith(escape + escape)) {
        joined += t.slice(0, -1);
        // Comment lines inside a continued instruction are dropped, as Docker does.
        do {
          i++;
        } while (i < lines.length && /^\s*#/.test(lines[i]!));
        if (i >= lines.length) break;
        cur = lines[i]!;
        continue;
      }
      joined += cur;
      break;
    }
    const m = /^\s*(\S+)\s*(.*)$/s.exec(joined);
    if (!m) continue;
    const kw = m[1]!.toUpperCase();
    if (!(INSTRUCTIONS as readonly string[]).includes(kw)) {
      throw bad(start, `unknown instruction "${m[1]}"`);
    }
    let rest = m[2]!.trim();
    const flags: Record<string, string> = {};
    if (kw !== 'RUN' || /^--/.test(rest)) {
      for (;;) {
        const f = /^--([a-zA-Z][\w-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest);
        if (!f) break;
        flags[f[1]!] = f[2] ?? 'true';
        rest = rest.slice(f[0].length);
      }
    }
    let json: string[] | undefined;
    if (rest.startsWith('[')) {
      try {
        const v = JSON.parse(rest) as unknown;
        if (Array.isArray(v) && v.every((x) => typeof x === 'string')) json = v;
      } catch {
        // Not JSON: the shell form, as Docker treats it.
      }
    }
    out.push({ keyword: kw as Keyword, flags, args: rest, json, line: start, text: joined.trim().replace(/\s+/g, ' ') });
  }
  return out;
}

/**
 * Expands $VAR, ${VAR}, ${VAR:-default} and ${VAR:+alt} from vars (unknown names become "");
 * a backslash keeps the next character literal. Single quotes keep $ literal when `quotes` is on.
 */
export function expand(text: string, vars: ReadonlyMap<string, string>, line = 0): string {
  let out = '';
  let single = false;
  let double = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length && (text[i + 1] === '$' || text[i + 1] === '\\')) {
      out += c + text[i + 1];
      i++;
      continue;
    }
    if (c === "'" && !double) single = !single;
    if (c === '"' && !single) double = !double;
    if (c !== '$' || single) {
      out += c;
      continue;
    }
    const rest = text.slice(i + 1);
    let m = /^\{([A-Za-z_][A-Za-z0-9_]*)(?:(:[-+])((?:[^}\\]|\\.)*))?\}/.exec(rest);
    if (m) {
      const v = vars.get(m[1]!);
      if (m[2] === ':-') out += v !== undefined && v !== '' ? v : expand(m[3] ?? '', vars, line);
      else if (m[2] === ':+') out += v !== undefined && v !== '' ? expand(m[3] ?? '', vars, line) : '';
      else out += v ?? '';
      i += m[0].length;
      continue;
    }
    if (rest.startsWith('{')) throw bad(line, `bad variable substitution in "${text}"`);
    m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (m) {
      out += vars.get(m[0]) ?? '';
      i += m[0].length;
      continue;
    }
    out += c;
  }
  return out;
}

/** Shell-like words: whitespace separates, quotes group (and are removed), backslash escapes. */
export function words(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      has = true;
      continue;
    }
    if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      has = true;
      continue;
    }
    if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
      continue;
    }
    cur += c;
    has = true;
  }
  if (quote) throw invalid('build.syntax', `unterminated quote in "${text}"`);
  if (has) out.push(cur);
  return out;
}

/** KEY=VALUE pairs (ENV, LABEL, ARG); the old `ENV KEY VALUE` form when allowed. */
export function keyValues(text: string, line: number, legacy: boolean): Array<[string, string | undefined]> {
  const ws = words(text);
  if (ws.length === 0) throw bad(line, 'needs at least one argument');
  if (legacy && !ws[0]!.includes('=')) {
    const m = /^\s*(\S+)\s+(.*)$/s.exec(text);
    if (!m) throw bad(line, `"${text}" needs a value`);
    return [[m[1]!, words(m[2]!).join(' ')]];
  }
  return ws.map((w) => {
    const i = w.indexOf('=');
    if (i === 0) throw bad(line, `"${w}" has no name`);
    return i < 0 ? [w, undefined] : [w.slice(0, i), w.slice(i + 1)];
  });
}

/** Durations in HEALTHCHECK flags ("30s", "1m30s", "500ms") as nanoseconds. */
export function durationNs(text: string, line: number): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/g;
  let total = 0;
  let used = 0;
  const unit: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]!]!;
    used += m[0].length;
  }
  if (used !== text.length || text === '') throw bad(line, `invalid duration "${text}"`);
  return Math.round(total);
}
