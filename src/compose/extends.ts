// `extends`: a service built on another, of the same file or of another file, by the merge
// rules of merge.ts. The base's own `extends` is followed first; a cycle is an error naming it.
import { invalid } from '../common/errors.js';
import { mergeService } from './merge.js';

type Map_ = Record<string, unknown>;

const isMap = (v: unknown): v is Map_ => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface ExtendsOptions {
  /** The absolute path of the file being read (shown in errors, and the default `file`). */
  file: string;
  /** Reads another compose file, interpolated and with its paths absolute (load.ts). */
  load: (path: string) => Map_;
}

/** The file's services with every `extends` replaced by the merged result. */
export function resolveExtends(tree: Map_, o: ExtendsOptions): Map_ {
  if (!isMap(tree.services)) return tree;
  const files = new Map<string, Map_>([[o.file, tree]]);
  const fileOf = (path: string): Map_ => {
    let t = files.get(path);
    if (!t) {
      t = o.load(path);
      files.set(path, t);
    }
    return t;
  };
  const done = new Map<string, Map_>();

  const resolve = (file: string, name: string, chain: string[], from: string): Map_ => {
    const id = `${file}#${name}`;
    const cached = done.get(id);
    if (cached) return cached;
    const label = file === o.file ? name : `${name} (${file})`;
    if (chain.includes(id)) {
      throw invalid('compose.extends_cycle', `${o.file}: services.${chain[0]?.split('#')[1] ?? from}.extends: cycle: ${
        [...chain, id].map((x) => x.split('#')[1]).join(' -> ')
      }`);
    }
    const services = fileOf(file).services;
    const s = isMap(services) ? services[name] : undefined;
    if (!isMap(s)) throw invalid('compose.extends_unknown', `${o.file}: services.${from}.extends: no service ${label}`);
    if (s.extends === undefined) {
      done.set(id, s);
      return s;
    }
    const where = `${o.file}: services.${name}.extends`;
    let target: string;
    let targetFile = file;
    if (typeof s.extends === 'string') target = s.extends;
    else if (isMap(s.extends)) {
      for (const k of Object.keys(s.extends))
        if (k !== 'service' && k !== 'file') throw invalid('compose.invalid', `${where}.${k}: not a key of extends (service, file)`);
      if (typeof s.extends.service !== 'string') throw invalid('compose.invalid', `${where}: needs a service`);
      target = s.extends.service;
      if (s.extends.file !== undefined) {
        if (typeof s.extends.file !== 'string') throw invalid('compose.invalid', `${where}.file: must be a path`);
        targetFile = s.extends.file;
      }
    } else {
      throw invalid('compose.invalid', `${where}: must be a service name or a mapping with service and file`);
    }
    const base = resolve(targetFile, target, [...chain, id], name);
    const { extends: _e, ...own } = s;
    const merged = mergeService(base, own);
    done.set(id, merged);
    return merged;
  };

  const services: Map_ = {};
  for (const name of Object.keys(tree.services)) services[name] = isMap(tree.services[name]) ? resolve(o.file, name, [], name) : tree.services[name];
  return { ...tree, services };
}
