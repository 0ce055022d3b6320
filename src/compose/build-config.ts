// A service's `build:` section, checked: what `compose build` hands to berth's builder. Keys a
// single machine has no use for (cache_from, cache_to, platforms...) are accepted with a warning,
// as `docker compose` does without BuildKit; what would change the image and berth cannot do
// (ssh, secrets, a remote context) is refused.
import { invalid } from '../common/errors.js';
import type { ServiceBuild } from './model.js';
import type { Reader } from './reader.js';

const KEYS = ['context', 'dockerfile', 'dockerfile_inline', 'args', 'target', 'labels', 'network', 'tags', 'pull', 'no_cache'];
/** Accepted and ignored: they tune caching or say where else the image goes, not what it is. */
const IGNORED = ['cache_from', 'cache_to', 'platforms', 'shm_size', 'extra_hosts', 'isolation', 'privileged', 'ulimits'];
const REFUSED = ['ssh', 'secrets', 'additional_contexts', 'entitlements'];

export function buildConfig(r: Reader, v: unknown, p: string,
  o: { env: Readonly<Record<string, string | undefined>>; warn: (line: string) => void }): ServiceBuild
{
  const path = `${p}.build`;
  // paths.ts has made a string context absolute and filled in a missing one.
  const m = typeof v === 'string' ? { context: v } : r.mapping(v, path);
  for (const k of REFUSED) {
    if (m[k] !== undefined)
      throw invalid('compose.unsupported', `${r.file}: ${path}.${k}: not supported by berth`, "berth's builder has no build secrets, ssh or extra contexts");
  }
  for (const k of IGNORED) if (m[k] !== undefined) o.warn(`${path}.${k}: ignored by berth's builder`);
  r.keys(m, path, [...KEYS, ...IGNORED]);
  const context = r.str(m.context, `${path}.context`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(context) || context.startsWith('git@')) {
    throw invalid('compose.unsupported', `${r.file}: ${path}.context: ${context}: not supported by berth`, 'berth builds from a local directory');
  }
  if (!context.startsWith('/')) throw new Error(`${path}.context reached normalize relative: paths.ts must make it absolute`);
  const out: ServiceBuild = {
    context,
    args: {},
    labels: m.labels === undefined ? {} : r.labels(m.labels, `${path}.labels`),
    tags: m.tags === undefined ? [] : r.strList(m.tags, `${path}.tags`),
  };
  if (m.dockerfile !== undefined && m.dockerfile_inline !== undefined) throw r.fail(path, 'dockerfile and dockerfile_inline cannot both be given');
  if (m.dockerfile !== undefined) out.dockerfile = r.str(m.dockerfile, `${path}.dockerfile`);
  if (m.dockerfile_inline !== undefined) out.dockerfileInline = r.str(m.dockerfile_inline, `${path}.dockerfile_inline`);
  if (m.args !== undefined) {
    // An argument without a value takes the shell's, or is left out, as Compose does.
    for (const [k, x] of r.keyValues(m.args, `${path}.args`)) {
      const val = x ?? o.env[k];
      if (val !== undefined) out.args[k] = val;
    }
  }
  if (m.target !== undefined) out.target = r.str(m.target, `${path}.target`);
  if (m.network !== undefined) {
    const n = r.str(m.network, `${path}.network`);
    if (n === 'none' || n === 'host') out.network = n;
    else if (n !== 'default')
      throw invalid('compose.unsupported', `${r.file}: ${path}.network: ${n}: not supported by berth`, 'a build runs with network none or host');
  }
  if (m.pull !== undefined && r.bool(m.pull, `${path}.pull`)) out.pull = true;
  if (m.no_cache !== undefined && r.bool(m.no_cache, `${path}.no_cache`)) out.noCache = true;
  return out;
}
