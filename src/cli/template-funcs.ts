// The values and functions of berth's Go templates: Go's builtins and Docker's, with the
// argument types Go would check, and values printed and marshalled as Go does.
import { invalid } from '../common/errors.js';

const STRUCT = Symbol('berth.template.struct');

/** Marks a listing's row: its fields are all there is, and `json .` prints them sorted and escaped, as Docker's MarshalJSON does. */
export function struct<T extends object>(type: string, fields: T): T {
  Object.defineProperty(fields, STRUCT, { value: type, enumerable: false });
  return fields;
}

export function structType(v: unknown): string | undefined {
  return v !== null && typeof v === 'object' ? (v as { [STRUCT]?: string })[STRUCT] : undefined;
}

export function execError(msg: string): Error {
  return invalid('cli.bad_template', `template: ${msg}`);
}

export type Fn = (...args: unknown[]) => unknown;

export function typeName(v: unknown): string {
  if (v === undefined || v === null) return 'nil';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'object') return structType(v) ?? 'map[string]interface {}';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

const want = {
  str(v: unknown, fn: string): string {
    if (typeof v !== 'string') throw execError(`error calling ${fn}: wrong type for value; expected string; got ${typeName(v)}`);
    return v;
  },
  int(v: unknown, fn: string): number {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw execError(`error calling ${fn}: wrong type for value; expected int; got ${typeName(v)}`);
    return v;
  },
  strs(v: unknown, fn: string): string[] {
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
      throw execError(`error calling ${fn}: wrong type for value; expected []string; got ${typeName(v)}`);
    return v as string[];
  },
};

/** Go's %v of a value: strings bare, slices [a b], maps map[k:v] in key order. */
export function goString(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => typeof x !== 'function');
    if (structType(v) !== undefined) return `{${entries.map(([, x]) => goString(x)).join(' ')}}`;
    return `map[${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => `${k}:${goString(x)}`).join(' ')}]`;
  }
  return typeof v === 'function' ? '<func>' : typeof v === 'bigint' ? v.toString() : '<symbol>';
}

function goJson(v: unknown): string {
  if (v === undefined) return 'null';
  const t = structType(v);
  if (t === undefined) return JSON.stringify(v, (_k, x: unknown) => (x === undefined ? null : x)) ?? 'null';
  // Docker's row types marshal through a map: keys sorted, and json.Marshal's HTML escaping.
  const obj = v as Record<string, unknown>;
  const sorted = Object.fromEntries(Object.keys(obj).filter((k) => typeof obj[k] !== 'function').sort().map((k) => [k, obj[k]]));
  return JSON.stringify(sorted).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function cmp(fn: string, a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw execError(`error calling ${fn}: incompatible types for comparison`);
}

function sprint(args: unknown[], spaces: boolean): string {
  let s = '';
  args.forEach((a, i) => {
    // fmt.Sprint puts a space between operands when neither is a string.
    if (i > 0 && (spaces || (typeof a !== 'string' && typeof args[i - 1] !== 'string'))) s += ' ';
    s += goString(a);
  });
  return s;
}

function printf(format: unknown, ...args: unknown[]): string {
  let n = 0;
  return want.str(format, 'printf').replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([%vsdqtfxXeg])/g,
    (_m, flags: string, width: string, prec: string | undefined, verb: string) => {
      if (verb === '%') return '%';
      const a = args[n++];
      let s: string;
      switch (verb) {
        case 'd':
          s = typeof a === 'number' ? String(Math.trunc(a)) : `%!d(${typeName(a)}=${goString(a)})`;
          break;
        case 'q':
          s = JSON.stringify(goString(a));
          break;
        case 'f':
        case 'e':
        case 'g':
          s = typeof a === 'number' ? (verb === 'f' ? a.toFixed(prec === undefined ? 6 : Number(prec)) : String(a))
            : `%!${verb}(${typeName(a)}=${goString(a)})`;
          break;
        case 'x':
        case 'X':
          s = typeof a === 'number' ? a.toString(16) : Buffer.from(goString(a)).toString('hex');
          if (verb === 'X') s = s.toUpperCase();
          break;
        default:
          s = goString(a);
          if (prec !== undefined && verb === 's') s = s.slice(0, Number(prec));
      }
      const w = Number(width || 0);
      return flags.includes('-') ? s.padEnd(w) : s.padStart(w, flags.includes('0') && verb !== 's' ? '0' : ' ');
    });
}

function index(v: unknown, ...keys: unknown[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (Array.isArray(cur) || typeof cur === 'string') {
      const i = want.int(k, 'index');
      if (i < 0 || i >= cur.length) throw execError(`error calling index: index out of range: ${i}`);
      cur = Array.isArray(cur) ? cur[i] : cur.charCodeAt(i);
    } else if (cur !== null && typeof cur === 'object' && structType(cur) === undefined) cur = (cur as Record<string, unknown>)[want.str(k, 'index')];
    else if (cur === undefined || cur === null) throw execError('error calling index: index of untyped nil');
    else throw execError(`error calling index: can't index item of type ${typeName(cur)}`);
  }
  return cur;
}

function title(s: string): string {
  // strings.Title: the first letter of each word, words split at anything not a letter, digit or mark.
  return s.replace(/(^|[^\p{L}\p{N}\p{M}'])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase());
}

/** Go's builtins and Docker's, with the argument types Go would check. */
export const FUNCS: Readonly<Record<string, Fn>> = {
  and: (...a) => a.find((x) => !truthy(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => truthy(x)) ?? a[a.length - 1],
  not: (a) => !truthy(a),
  len: (a) => {
    if (typeof a === 'string' || Array.isArray(a)) return a.length;
    if (a !== null && typeof a === 'object') return Object.keys(a).length;
    throw execError(`error calling len: len of type ${typeName(a)}`);
  },
  index,
  slice: (a, i = 0, j?) => {
    if (typeof a !== 'string' && !Array.isArray(a)) throw execError(`error calling slice: can't slice item of type ${typeName(a)}`);
    return a.slice(want.int(i, 'slice'), j === undefined ? undefined : want.int(j, 'slice'));
  },
  print: (...a) => sprint(a, false),
  println: (...a) => `${sprint(a, true)}\n`,
  printf: (f, ...a) => printf(f, ...a),
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => cmp('lt', a, b) < 0,
  le: (a, b) => cmp('le', a, b) <= 0,
  gt: (a, b) => cmp('gt', a, b) > 0,
  ge: (a, b) => cmp('ge', a, b) >= 0,
  urlquery: (...a) => encodeURIComponent(sprint(a, false)),
  html: (...a) => sprint(a, false).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
  json: (v) => goJson(v),
  split: (s, sep) => want.str(s, 'split').split(want.str(sep, 'split')),
  join: (a, sep) => want.strs(a, 'join').join(want.str(sep, 'join')),
  title: (s) => title(want.str(s, 'title')),
  lower: (s) => want.str(s, 'lower').toLowerCase(),
  upper: (s) => want.str(s, 'upper').toUpperCase(),
  // Docker's padWithSpace and truncateWithLength.
  pad: (s, pre, post) => {
    const t = want.str(s, 'pad');
    return t === '' ? '' : ' '.repeat(Math.max(0, want.int(pre, 'pad'))) + t + ' '.repeat(Math.max(0, want.int(post, 'pad')));
  },
  truncate: (s, n) => {
    const [t, len] = [want.str(s, 'truncate'), want.int(n, 'truncate')];
    return t.length < len ? t : t.slice(0, Math.max(0, len));
  },
};

/** Docker's header functions for a table's header row: each gives back the header it was handed. */
export const HEADER_FUNCS: Readonly<Record<string, Fn>> = { ...FUNCS, json: (v) => v, split: (v) => v, join: (v) => v, title: (v) => v, lower: (v) => v,
  upper: (v) => v, pad: (v) => v, truncate: (v) => v };
