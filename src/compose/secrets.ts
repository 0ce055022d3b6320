// Secrets and configs: a file on the host, an environment variable's value or inline content,
// each mounted read-only into the container, a secret at /run/secrets/NAME, a config at /NAME,
// or at the target the service gives. A host file is bind-mounted as it is, as Compose does;
// a value, or a file given a uid, gid or mode, is first written to a file of berth's own for the
// container (secret-files.ts) with that owner and mode. External ones need a swarm: refused.
import { invalid } from '../common/errors.js';
import { posix } from 'node:path';
import type { FileObject, ServiceFile } from './model.js';
import { NAME_RE, Reader, type Map_ } from './reader.js';

export type Kind = 'secrets' | 'configs';

/** The top-level secrets: or configs: section. */
export function fileObjects(r: Reader, kind: Kind, v: unknown, env: Readonly<Record<string, string | undefined>>): FileObject[] {
  if (v === undefined || v === null) return [];
  return Object.entries(r.mapping(v, kind)).map(([key, x]) => {
    const p = `${kind}.${key}`;
    if (!NAME_RE.test(key)) throw r.fail(p, `a ${kind === 'secrets' ? 'secret' : 'config'} name may contain only letters, digits, _, . and -`);
    const m = r.mapping(x, p);
    r.keys(m, p, ['file', 'name', 'environment', 'content', 'external', 'labels', 'driver', 'template_driver']);
    for (const k of ['external', 'driver', 'template_driver']) {
      if (m[k] !== undefined && m[k] !== false)
        throw invalid('compose.unsupported', `${r.file}: ${p}.${k}: not supported by berth`, `berth mounts ${kind} from files, the environment or content:`);
    }
    if (kind === 'secrets' && m.content !== undefined) throw r.fail(`${p}.content`, 'content: is for configs; a secret takes file: or environment:');
    const given = ['file', 'environment', 'content'].filter((k) => m[k] !== undefined);
    if (given.length !== 1)
      throw r.fail(p,
        given.length === 0 ? 'needs file:, environment:' + (kind === 'configs' ? ' or content:' : '') : `${given.join(' and ')} cannot be combined`);
    if (m.file !== undefined) {
      const file = r.str(m.file, `${p}.file`);
      if (!file.startsWith('/')) throw new Error(`${p}.file reached normalize relative: paths.ts must make it absolute`);
      return { key, file };
    }
    if (m.content !== undefined) {
      const content = r.str(m.content, `${p}.content`);
      return { key, content, data: content };
    }
    const name = r.str(m.environment, `${p}.environment`);
    // Unset is refused by `up`, not here: exec, logs or down need no secret's value.
    const data = env[name];
    return { key, environment: name, ...(data !== undefined ? { data } : {}) };
  });
}

/** mode as Compose reads it: octal digits (0440 or "0440"), or "0o440". */
function fileMode(r: Reader, v: unknown, path: string): number {
  const t = typeof v === 'number' ? String(v) : r.str(v, path);
  const m = /^(?:0o?)?([0-7]{1,4})$/.exec(t);
  if (!m) throw r.fail(path, `invalid mode "${t}": expected octal digits such as 0440`);
  return parseInt(m[1]!, 8);
}

/** A service's secrets: or configs: list, as read-only file mounts. */
export function serviceFiles(r: Reader, kind: Kind, v: unknown, p: string, declared: readonly FileObject[]): ServiceFile[] {
  if (v === undefined || v === null) return [];
  const path = `${p}.${kind}`;
  return r.list(v, path).map((x, i) => {
    const ip = `${path}[${i}]`;
    let source: string;
    let target: string | undefined;
    const extra: Pick<ServiceFile, 'uid' | 'gid' | 'mode'> = {};
    if (typeof x === 'string') source = x;
    else {
      const m: Map_ = r.mapping(x, ip);
      r.keys(m, ip, ['source', 'target', 'uid', 'gid', 'mode']);
      if (m.source === undefined) throw r.fail(ip, 'needs a source');
      source = r.str(m.source, `${ip}.source`);
      if (m.target !== undefined) target = r.str(m.target, `${ip}.target`);
      if (m.uid !== undefined) extra.uid = r.int(m.uid, `${ip}.uid`, 0);
      if (m.gid !== undefined) extra.gid = r.int(m.gid, `${ip}.gid`, 0);
      if (m.mode !== undefined) extra.mode = fileMode(r, m.mode, `${ip}.mode`);
    }
    const obj = declared.find((d) => d.key === source);
    if (!obj) throw r.fail(ip, `${source} is not declared under the top-level ${kind}`);
    const base = kind === 'secrets' ? '/run/secrets' : '/';
    // A relative target is a name under the base directory: no climbing out of it with "..".
    if (target !== undefined && target.split('/').includes('..')) throw r.fail(`${ip}.target`, `"${target}" must be a plain path, without ..`);
    const t = target === undefined ? posix.join(base, source) : target.startsWith('/') ? posix.normalize(target) : posix.join(base, target);
    return {
      source,
      ...(obj.file !== undefined ? { file: obj.file } : {}),
      ...(obj.data !== undefined ? { data: obj.data } : {}),
      ...(obj.environment !== undefined ? { environment: obj.environment } : {}),
      target: t,
      ...extra,
    };
  });
}
