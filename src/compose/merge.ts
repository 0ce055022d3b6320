// Compose's merge rules, on parsed YAML before it is checked: how an override file (-f a -f b,
// compose.override.yaml) or an `extends` changes a service. Mappings merge key by key, scalars
// and commands are replaced, most lists are appended without duplicates, and volumes, secrets
// and configs replace the entry with the same target. `!reset` drops a value, `!override`
// replaces it whole (see yaml.ts).
import { isOverride, isReset, unwrapOverride } from './yaml.js';

type Map_ = Record<string, unknown>;

const isMap = (v: unknown): v is Map_ => v !== null && typeof v === 'object' && !Array.isArray(v) && !isReset(v) && !isOverride(v);

/** Lists of KEY=VALUE strings become mappings, so that an override changes one key. */
const KEY_VALUE = new Set(['environment', 'labels', 'annotations', 'sysctls']);
/** Replaced, never appended: a command is one value. */
const REPLACED = new Set(['command', 'entrypoint']);
/** Appended, keeping one of each. */
const UNIQUE = new Set(['expose', 'dns', 'dns_search', 'dns_opt', 'tmpfs', 'cap_add', 'cap_drop', 'security_opt', 'profiles', 'env_file', 'devices',
  'group_add', 'ports', 'extra_hosts', 'external_links', 'links', 'volumes_from', 'label_file']);

function keyValueMap(v: unknown, sep: string): unknown {
  if (!Array.isArray(v)) return v;
  const out: Map_ = {};
  for (const x of v) {
    if (typeof x !== 'string') return v; // normalize reports the bad entry
    const i = x.indexOf(sep);
    out[i < 0 ? x : x.slice(0, i)] = i < 0 ? null : x.slice(i + sep.length);
  }
  return out;
}

/** depends_on and networks in list form become mappings, as their long form. */
function listToMap(v: unknown, value: (x: string) => unknown): unknown {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return v;
  return Object.fromEntries(v.map((x) => [x, value(x)]));
}

/** The target of a volume entry (short "SRC:TARGET[:MODE]", "TARGET" or long form). */
function volumeTarget(v: unknown): string {
  if (typeof v === 'string') {
    const parts = v.split(':');
    return parts.length === 1 ? parts[0]! : parts[1]!;
  }
  if (isMap(v) && typeof v.target === 'string') return v.target;
  return JSON.stringify(v);
}

function secretTarget(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isMap(v)) return String(v.target ?? v.source);
  return JSON.stringify(v);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function appendUnique(a: unknown[], b: unknown[]): unknown[] {
  const out = [...a];
  for (const x of b) if (!out.some((y) => same(x, y))) out.push(x);
  return out;
}

function replaceByKey(a: unknown[], b: unknown[], key: (v: unknown) => string): unknown[] {
  const out = [...a];
  for (const x of b) {
    const i = out.findIndex((y) => key(y) === key(x));
    if (i >= 0) out[i] = x;
    else out.push(x);
  }
  return out;
}

/** Puts one service's fields in the shapes the merge needs (and that normalize accepts). */
export function prepareService(s: Map_): Map_ {
  const out: Map_ = { ...s };
  for (const k of KEY_VALUE) if (k in out) out[k] = keyValueMap(out[k], '=');
  if ('depends_on' in out) out.depends_on = listToMap(out.depends_on, () => ({ condition: 'service_started' }));
  if ('networks' in out) out.networks = listToMap(out.networks, () => null);
  if (typeof out.env_file === 'string') out.env_file = [out.env_file];
  if (isMap(out.build) && 'args' in out.build) out.build = { ...out.build, args: keyValueMap(out.build.args, '=') };
  return out;
}

/** One service `over` laid on `base`: the result of `extends` or of an override file. */
export function mergeService(base: Map_, over: Map_): Map_ {
  return mergeMap(prepareService(base), prepareService(over), '');
}

function mergeMap(base: Map_, over: Map_, path: string): Map_ {
  const out: Map_ = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const p = path ? `${path}.${k}` : k;
    if (isReset(v)) {
      delete out[k];
      continue;
    }
    if (isOverride(v)) {
      out[k] = unwrapOverride(v);
      continue;
    }
    out[k] = k in out ? mergeValue(out[k], v, p) : v;
  }
  return out;
}

function mergeValue(a: unknown, b: unknown, path: string): unknown {
  const key = path.split('.').pop()!;
  if (REPLACED.has(path) || path === 'healthcheck.test') return b;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (path === 'volumes') return replaceByKey(a, b, volumeTarget);
    if (path === 'secrets' || path === 'configs') return replaceByKey(a, b, secretTarget);
    if (UNIQUE.has(key)) return appendUnique(a, b);
    return [...(a as unknown[]), ...(b as unknown[])];
  }
  if (isMap(a) && isMap(b)) return mergeMap(a, b, path);
  return b;
}

/** Top-level sections whose entries merge by name. */
const SECTIONS = ['services', 'networks', 'volumes', 'secrets', 'configs'];

/** The model of `-f a -f b`: b laid on a. */
export function mergeFiles(base: Map_, over: Map_): Map_ {
  const out: Map_ = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (isReset(v)) {
      delete out[k];
      continue;
    }
    if (SECTIONS.includes(k) && isMap(v) && isMap(out[k])) {
      const merged: Map_ = { ...(out[k]) };
      for (const [name, entry] of Object.entries(v)) {
        const prev = merged[name];
        if (isReset(entry)) delete merged[name];
        else if (isOverride(entry)) merged[name] = unwrapOverride(entry);
        else if (k === 'services' && isMap(prev) && isMap(entry)) merged[name] = mergeService(prev, entry);
        else if (isMap(prev) && isMap(entry)) merged[name] = mergeMap(prev, entry, '');
        else merged[name] = entry;
      }
      out[k] = merged;
    } else if (k === 'include' && Array.isArray(v) && Array.isArray(out[k])) {
      out[k] = [...(out[k] as unknown[]), ...(v as unknown[])];
    } else if (isOverride(v)) {
      out[k] = unwrapOverride(v);
    } else {
      out[k] = isMap(v) && isMap(out[k]) ? mergeMap(out[k], v, '') : v;
    }
  }
  return out;
}
