// The checks every part of compose normalization shares: one Reader per file, whose
// methods read a value of one type or fail with the value's path in the message.
import { invalid, type BerthError } from '../common/errors.js';
import { parseDuration, parseSize } from '../common/units.js';
import { splitWords } from './text.js';

export type Map_ = Record<string, unknown>;

export class Reader {
  constructor(readonly file: string) {}

  fail(path: string, msg: string, hint?: string): BerthError {
    return invalid('compose.invalid', `${this.file}: ${path}: ${msg}`, hint);
  }

  mapping(v: unknown, path: string): Map_ {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw this.fail(path, `must be a mapping, not ${describe(v)}`);
    return v as Map_;
  }

  /** Refuses any key berth does not handle; x-* extension keys are the spec's own comments. */
  keys(o: Map_, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (allowed.includes(k) || k.startsWith('x-')) continue;
      throw invalid('compose.unsupported', `${this.file}: ${path ? `${path}.` : ''}${k}: not supported by berth`, `berth supports ${allowed.join(', ')} here`);
    }
  }

  str(v: unknown, path: string): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    throw this.fail(path, `must be a string, not ${describe(v)}`);
  }

  int(v: unknown, path: string, min: number): number {
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw this.fail(path, `must be an integer of at least ${min}, not ${describe(v)}`);
    return n;
  }

  bool(v: unknown, path: string): boolean {
    if (typeof v !== 'boolean') throw this.fail(path, `must be true or false, not ${describe(v)}`);
    return v;
  }

  list(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) throw this.fail(path, `must be a list, not ${describe(v)}`);
    return v;
  }

  strList(v: unknown, path: string): string[] {
    return this.list(v, path).map((x, i) => this.str(x, `${path}[${i}]`));
  }

  /** command, entrypoint: a string is split into words as a shell would, without running one. */
  words(v: unknown, path: string): string[] {
    if (typeof v === 'string') return splitWords(v, `${this.file}: ${path}`);
    return this.strList(v, path);
  }

  /** labels and environment: ["K=V", "K"] or {K: V}; null values stay null. */
  keyValues(v: unknown, path: string): Map<string, string | null> {
    const out = new Map<string, string | null>();
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        const s = this.str(x, `${path}[${i}]`);
        const eq = s.indexOf('=');
        if (eq === 0) throw this.fail(`${path}[${i}]`, `"${s}" has no name before =`);
        out.set(eq < 0 ? s : s.slice(0, eq), eq < 0 ? null : s.slice(eq + 1));
      });
      return out;
    }
    for (const [k, x] of Object.entries(this.mapping(v, path))) {
      if (x === null) out.set(k, null);
      else if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out.set(k, String(x));
      else throw this.fail(`${path}.${k}`, `must be a string, number or boolean, not ${describe(x)}`);
    }
    return out;
  }

  labels(v: unknown, path: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, x] of this.keyValues(v, path)) out[k] = x ?? '';
    return out;
  }

  duration(v: unknown, path: string): number {
    if (typeof v === 'number' && v >= 0) return v * 1000;
    try {
      return parseDuration(this.str(v, path), path);
    } catch {
      throw this.fail(path, `invalid duration ${describe(v)}: expected e.g. 10s, 1m30s or 500ms`);
    }
  }

  size(v: unknown, path: string): number {
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
    try {
      return parseSize(this.str(v, path), path);
    } catch {
      throw this.fail(path, `invalid size ${describe(v)}: expected bytes or a number with a unit b, k, m, g (e.g. 64m)`);
    }
  }

  cpus(v: unknown, path: string): number {
    const n = typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) throw this.fail(path, `must be a positive number of CPUs such as 0.5, not ${describe(v)}`);
    return n;
  }
}

export function describe(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

export const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** The x-* keys of a mapping, which Compose keeps in its model (Extensions); undefined when none. */
export function extensionsOf(m: Map_): Map_ | undefined {
  const x = Object.entries(m).filter(([k]) => k.startsWith('x-'));
  return x.length > 0 ? Object.fromEntries(x) : undefined;
}
