// The run/create flags that reach the host's own objects: --ulimit, --device, --mount, --init,
// and the healthcheck flags. Pure parsers in Docker's syntax and with Docker's messages (from
// docker/cli opts/ and go-units); what they name on the host is checked by createContainer.
import { invalid } from '../../common/errors.js';
import { parseDuration, parseSize } from '../../common/units.js';
import type { Healthcheck, MountSpec, Ulimit } from '../../engine/types.js';
// compose reads devices: too; the parser is the engine's so that both fronts share it.
export { parseDevice } from '../../engine/index.js';

const flagError = (flag: string, text: string, why: string, code: string) => invalid(code, `invalid argument "${text}" for "${flag}" flag: ${why}`);

/** go-units' names: the ones setrlimit(2) knows. */
export const ULIMIT_NAMES: readonly string[] = ['as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss',
  'rtprio', 'rttime', 'sigpending', 'stack'];

/** "nofile=1024:2048", "nproc=512"; -1 is unlimited, as in Docker. */
export function parseUlimit(text: string): Ulimit {
  const f = (why: string) => flagError('--ulimit', text, why, 'ulimit.bad');
  const eq = text.indexOf('=');
  if (eq < 0) throw f(`invalid ulimit argument: ${text}`);
  const name = text.slice(0, eq);
  if (!ULIMIT_NAMES.includes(name)) throw f(`invalid ulimit type: ${name}`);
  const parts = text.slice(eq + 1).split(':');
  if (parts.length > 2) throw f(`too many limit value arguments - ${text.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  const nums = parts.map((p) => {
    if (!/^-?\d+$/.test(p)) throw f(`invalid ulimit value: ${p}`);
    const n = Number(p);
    return n < 0 ? -1 : n;
  });
  const soft = nums[0]!;
  const hard = nums[1] ?? soft;
  if (hard !== -1 && (soft === -1 || soft > hard)) throw f(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { name, soft, hard };
}

const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'] as const;

function mountBool(key: string, value: string | undefined, text: string): boolean {
  if (value === undefined) return true;
  const v = value.toLowerCase();
  if (['1', 't', 'true'].includes(v)) return true;
  if (['0', 'f', 'false'].includes(v)) return false;
  throw flagError('--mount', text, `invalid value for ${key}: ${value}`, 'mount.bad');
}

/** Docker's CSV: "type=bind,source=/a,target=/b,readonly,bind-propagation=rshared", and its key aliases. */
export function parseMount(text: string): MountSpec {
  const f = (why: string) => flagError('--mount', text, why, 'mount.bad');
  let type: string | undefined;
  let source: string | undefined;
  let target: string | undefined;
  let readonly = false;
  const bind: Partial<MountSpec> = {};
  const tmpfs: Partial<MountSpec> = {};
  const volume: Partial<MountSpec> = {};
  for (const field of text.split(',')) {
    if (field === '') continue;
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? undefined : field.slice(eq + 1);
    if (value === undefined && key !== 'readonly' && key !== 'ro' && key !== 'volume-nocopy') throw f(`invalid field '${field}' must be a key=value pair`);
    switch (key) {
      case 'type':
        type = value!.toLowerCase();
        break;
      case 'source':
      case 'src':
        source = value!;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        target = value!;
        break;
      case 'readonly':
      case 'ro':
        readonly = mountBool(key, value, text);
        break;
      case 'bind-propagation': {
        const p = PROPAGATIONS.find((x) => x === value!.toLowerCase());
        if (p === undefined) throw f(`invalid value for ${key}: ${value!}`);
        bind.bindPropagation = p;
        break;
      }
      case 'volume-nocopy':
        volume.volumeNoCopy = mountBool(key, value, text);
        break;
      case 'tmpfs-size':
        try {
          tmpfs.tmpfsSize = parseSize(value!, 'tmpfs-size');
        } catch {
          throw f(`invalid value for ${key}: ${value!}`);
        }
        break;
      case 'tmpfs-mode':
        if (!/^[0-7]{1,4}$/.test(value!)) throw f(`invalid value for ${key}: ${value!}`);
        tmpfs.tmpfsMode = parseInt(value!, 8);
        break;
      default:
        throw f(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (type === undefined) throw f('type is required');
  if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs') throw f(`invalid mount type "${type}": berth knows bind, volume and tmpfs`);
  if (target === undefined || target === '') throw f('target is required');
  const mixed = (opts: Partial<MountSpec>, prefix: string, own: string) => {
    if (Object.keys(opts).length > 0 && type !== own) throw f(`cannot mix '${prefix}-*' options with mount type '${type}'`);
  };
  mixed(bind, 'bind', 'bind');
  mixed(volume, 'volume', 'volume');
  mixed(tmpfs, 'tmpfs', 'tmpfs');
  if (!target.startsWith('/') || target.split('/').includes('..')) throw f(`invalid mount path: '${target}' mount path must be absolute`);
  if (type === 'tmpfs' && source !== undefined) throw f('source must not be specified for a tmpfs mount');
  if (type === 'bind' && (source === undefined || source === '')) throw f('invalid mount config for type "bind": field Source must not be empty');
  if (type === 'volume' && source !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(source)) {
    throw f(`"${source}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed`);
  }
  if (type === 'bind' && !source!.startsWith('/'))
    throw f(`invalid mount config for type "bind": invalid mount path: '${source!}' mount path must be absolute`);
  return { type, ...(source !== undefined ? { source } : {}), target, readonly, ...bind, ...volume, ...tmpfs };
}

export interface HealthFlags {
  cmd?: string;
  interval?: string;
  timeout?: string;
  retries?: string;
  startPeriod?: string;
  none: boolean;
}

/** Docker's: a zero duration or retry count asks for the default. */
const HEALTH_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3 };

function healthDuration(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text, flag);
  if (ms < 0) throw invalid('health.bad', `${flag} cannot be negative`);
  if (ms !== 0 && ms < 1) throw invalid('health.bad', `${flag} cannot be less than 1ms`);
  return ms;
}

/**
 * The healthcheck the flags ask for: `cmd` a shell command (Docker's CMD-SHELL). The other flags
 * alone tune the image's check, so they come back as a partial that the engine lays over it.
 */
export function parseHealthFlags(h: HealthFlags): { healthcheck?: Partial<Healthcheck>; none: boolean } {
  const given = h.cmd !== undefined || h.interval !== undefined || h.timeout !== undefined || h.retries !== undefined || h.startPeriod !== undefined;
  if (h.none) {
    if (given) throw invalid('health.conflict', '--no-healthcheck conflicts with --health-* options');
    return { none: true };
  }
  if (!given) return { none: false };
  const out: Partial<Healthcheck> = {};
  if (h.cmd !== undefined) out.test = ['/bin/sh', '-c', h.cmd];
  const interval = healthDuration(h.interval, '--health-interval');
  const timeout = healthDuration(h.timeout, '--health-timeout');
  const start = healthDuration(h.startPeriod, '--health-start-period');
  if (interval !== undefined) out.intervalMs = interval || HEALTH_DEFAULTS.intervalMs;
  if (timeout !== undefined) out.timeoutMs = timeout || HEALTH_DEFAULTS.timeoutMs;
  if (start !== undefined) out.startPeriodMs = start;
  if (h.retries !== undefined) {
    if (!/^-?\d+$/.test(h.retries)) throw invalid('health.bad', `invalid argument "${h.retries}" for "--health-retries" flag: expected an integer`);
    const n = Number(h.retries);
    if (n < 0) throw invalid('health.bad', '--health-retries cannot be negative');
    out.retries = n || HEALTH_DEFAULTS.retries;
  }
  return { healthcheck: out, none: false };
}
