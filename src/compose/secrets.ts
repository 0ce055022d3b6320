// Secrets and configs from files: each is the file bind-mounted read-only into the container,
// a secret at /run/secrets/NAME, a config at /NAME, or at the target the service gives. Those
// taken from the environment or written inline need a file berth would have to keep, and
// external ones a swarm: they are refused. uid, gid and mode cannot be applied to a bind
// mount; they are accepted with a warning, as `docker compose` does.
import { invalid } from '../common/errors.js';
import { posix } from 'node:path';
import type { FileObject, ServiceFile } from './model.js';
import { NAME_RE, Reader, type Map_ } from './reader.js';

export type Kind = 'secrets' | 'configs';

/** The top-level secrets: or configs: section. */
export function fileObjects(r: Reader, kind: Kind, v: unknown): FileObject[] {
  if (v === undefined || v === null) return [];
  return Object.entries(r.mapping(v, kind)).map(([key, x]) => {
    const p = `${kind}.${key}`;
    if (!NAME_RE.test(key)) throw r.fail(p, `a ${kind === 'secrets' ? 'secret' : 'config'} name may contain only letters, digits, _, . and -`);
    const m = r.mapping(x, p);
    r.keys(m, p, ['file', 'name', 'environment', 'content', 'external', 'labels', 'driver', 'template_driver']);
    for (const k of ['environment', 'content', 'external', 'driver', 'template_driver']) {
      if (m[k] !== undefined && m[k] !== false)
        throw invalid('compose.unsupported', `${r.file}: ${p}.${k}: not supported by berth`, `berth mounts ${kind} from files: give file: PATH`);
    }
    if (m.file === undefined) throw r.fail(p, 'needs a file', `berth mounts ${kind} from files: give file: PATH`);
    const file = r.str(m.file, `${p}.file`);
    if (!file.startsWith('/')) throw new Error(`${p}.file reached normalize relative: paths.ts must make it absolute`);
    return { key, file };
  });
}

/** A service's secrets: or configs: list, as read-only file mounts. */
export function serviceFiles(r: Reader, kind: Kind, v: unknown, p: string, declared: readonly FileObject[], warn: (line: string) => void): ServiceFile[] {
  if (v === undefined || v === null) return [];
  const path = `${p}.${kind}`;
  return r.list(v, path).map((x, i) => {
    const ip = `${path}[${i}]`;
    let source: string;
    let target: string | undefined;
    if (typeof x === 'string') source = x;
    else {
      const m: Map_ = r.mapping(x, ip);
      r.keys(m, ip, ['source', 'target', 'uid', 'gid', 'mode']);
      if (m.source === undefined) throw r.fail(ip, 'needs a source');
      source = r.str(m.source, `${ip}.source`);
      if (m.target !== undefined) target = r.str(m.target, `${ip}.target`);
      for (const k of ['uid', 'gid', 'mode']) if (m[k] !== undefined) warn(`${ip}.${k}: ignored: a file mounted from the host keeps the host's owner and mode`);
    }
    const obj = declared.find((d) => d.key === source);
    if (!obj) throw r.fail(ip, `${source} is not declared under the top-level ${kind}`);
    const base = kind === 'secrets' ? '/run/secrets' : '/';
    // A relative target is a name under the base directory: no climbing out of it with "..".
    if (target !== undefined && target.split('/').includes('..')) throw r.fail(`${ip}.target`, `"${target}" must be a plain path, without ..`);
    const t = target === undefined ? posix.join(base, source) : target.startsWith('/') ? posix.normalize(target) : posix.join(base, target);
    return { source, file: obj.file, target: t };
  });
}
