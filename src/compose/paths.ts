// Relative paths in a compose file, made absolute against the directory they are relative to,
// before files are merged or extended: for -f files that is the project directory, for an
// `extends: file:` or an `include` the directory of that file. After this step no later part
// needs to know which file a value came from.
import { isAbsolute, join, resolve } from 'node:path';

type Map_ = Record<string, unknown>;

const isMap = (v: unknown): v is Map_ => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface PathBase {
  dir: string;
  /** For ~ at the start of a path. */
  home: string;
}

/** "~/x" is in the home directory, "./x" and "x" in `dir`; absolute paths stay. */
export function absolutePath(p: string, b: PathBase): string {
  if (p === '~' || p.startsWith('~/')) return join(b.home, p.slice(1));
  return isAbsolute(p) ? p : resolve(b.dir, p);
}

/** Compose's rule: a short volume source is a path when it starts with ., / or ~; else a volume name. */
const isPathSource = (s: string) => /^[./~]/.test(s);

function shortVolume(v: string, b: PathBase): string {
  const parts = v.split(':');
  if (parts.length < 2 || !isPathSource(parts[0]!)) return v;
  return [absolutePath(parts[0]!, b), ...parts.slice(1)].join(':');
}

/** A build context that is a URL (git, http) is not a path. */
const isRemote = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || s.startsWith('git@') || s.startsWith('github.com/');

function service(s: Map_, b: PathBase): Map_ {
  const out: Map_ = { ...s };
  if (Array.isArray(out.volumes)) {
    out.volumes = (out.volumes as unknown[]).map((v) => {
      if (typeof v === 'string') return shortVolume(v, b);
      if (isMap(v) && (v.type === 'bind' || v.type === undefined) && typeof v.source === 'string' && (v.type === 'bind' || isPathSource(v.source))) {
        return { ...v, source: absolutePath(v.source, b) };
      }
      return v;
    });
  }
  const envFile = (e: unknown) => {
    if (typeof e === 'string') return absolutePath(e, b);
    if (isMap(e) && typeof e.path === 'string') return { ...e, path: absolutePath(e.path, b) };
    return e;
  };
  if (typeof out.env_file === 'string') out.env_file = [envFile(out.env_file)];
  else if (Array.isArray(out.env_file)) out.env_file = out.env_file.map(envFile);
  if (Array.isArray(out.label_file)) out.label_file = (out.label_file as unknown[]).map((x) => (typeof x === 'string' ? absolutePath(x, b) : x));
  else if (typeof out.label_file === 'string') out.label_file = [absolutePath(out.label_file, b)];
  if (typeof out.build === 'string' && !isRemote(out.build)) out.build = absolutePath(out.build, b);
  else if (isMap(out.build) && typeof out.build.context === 'string' && !isRemote(out.build.context)) {
    out.build = { ...out.build, context: absolutePath(out.build.context, b) };
  } else if (isMap(out.build) && out.build.context === undefined) {
    out.build = { ...out.build, context: b.dir };
  }
  if (isMap(out.extends) && typeof out.extends.file === 'string') out.extends = { ...out.extends, file: absolutePath(out.extends.file, b) };
  return out;
}

/** The file with its paths made absolute; `include` paths are left to include.ts, which knows their base. */
export function absolutePaths(file: Map_, b: PathBase): Map_ {
  const out: Map_ = { ...file };
  if (isMap(out.services)) {
    out.services = Object.fromEntries(Object.entries(out.services).map(([k, s]) => [k, isMap(s) ? service(s, b) : s]));
  }
  for (const section of ['secrets', 'configs']) {
    const sec = out[section];
    if (!isMap(sec)) continue;
    out[section] = Object.fromEntries(
      Object.entries(sec).map(([k, v]) => [k, isMap(v) && typeof v.file === 'string' ? { ...v, file: absolutePath(v.file, b) } : v]),
    );
  }
  return out;
}
