// Reading untrusted manifest values: every field is checked against what berth plays, and one it
// does not is refused with its path, before anything is made.
import { invalid, type BerthError } from '../common/errors.js';

export type Obj = Record<string, unknown>;

export class Checker {
  /** `where`: "webfarm.yaml: Deployment web". */
  constructor(readonly where: string) {}

  fail(path: string, msg: string, hint?: string): BerthError {
    return invalid('kube.invalid', `${this.where}: ${path}: ${msg}`, hint);
  }

  unsupported(path: string, what = 'not supported by berth', hint?: string): BerthError {
    return invalid('kube.unsupported', `${this.where}: ${path}: ${what}`, hint);
  }

  obj(v: unknown, path: string): Obj {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw this.fail(path, 'must be a mapping');
    return v as Obj;
  }

  optObj(v: unknown, path: string): Obj {
    return v === undefined || v === null ? {} : this.obj(v, path);
  }

  keys(o: Obj, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) throw this.unsupported(path ? `${path}.${k}` : k);
    }
  }

  str(v: unknown, path: string): string {
    if (typeof v !== 'string') throw this.fail(path, 'must be a string');
    return v;
  }

  int(v: unknown, path: string, min = 0): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw this.fail(path, `must be an integer of at least ${min}`);
    return v;
  }

  list(v: unknown, path: string): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw this.fail(path, 'must be a list');
    return v;
  }

  strList(v: unknown, path: string): string[] {
    return this.list(v, path).map((x, i) => this.str(x, `${path}[${i}]`));
  }

  strMap(v: unknown, path: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(this.optObj(v, path))) out[k] = this.str(x, `${path}.${k}`);
    return out;
  }
}
