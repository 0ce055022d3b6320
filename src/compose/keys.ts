// Which keys of the compose-spec berth runs, which it accepts with a warning (swarm-only keys,
// as `docker compose` does) and which it refuses because the engine has no such feature yet.
// The whole file is scanned before it is read, so that one refusal names every key berth
// lacks, not only the first. docs/compose.md is the same table in prose.
import { invalid } from '../common/errors.js';

type Map_ = Record<string, unknown>;
const isMap = (v: unknown): v is Map_ => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The service keys berth reads (service.ts). */
export const SERVICE_KEYS = [
  'image',
  'build',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'working_dir',
  'user',
  'hostname',
  'labels',
  'annotations',
  'ports',
  'expose',
  'networks',
  'network_mode',
  'volumes',
  'restart',
  'depends_on',
  'deploy',
  'scale',
  'mem_limit',
  'mem_reservation',
  'cpus',
  'pids_limit',
  'blkio_config',
  'healthcheck',
  'stop_grace_period',
  'container_name',
  'platform',
  'profiles',
  'read_only',
  'pull_policy',
  'secrets',
  'configs',
  'cpuset',
  'runtime',
  'cap_add',
  'cap_drop',
  'privileged',
  'security_opt',
  'tmpfs',
  'group_add',
  'userns_mode',
  'pid',
  'ipc',
  'domainname',
  'init',
  'tty',
  'stdin_open',
  'stop_signal',
  'shm_size',
  'sysctls',
  'ulimits',
  'devices',
  'extra_hosts',
  'dns',
  'dns_search',
  'dns_opt',
  'oom_score_adj',
  'logging',
  'cpu_shares',
  'cpu_period',
  'cpu_quota',
  'memswap_limit',
] as const;

/** Keys of the compose-spec that berth does not run yet: refused, never ignored. */
const SERVICE_REFUSED = [
  'attach',
  'cgroup',
  'cgroup_parent',
  'cpu_count',
  'cpu_percent',
  'cpu_rt_period',
  'cpu_rt_runtime',
  'credential_spec',
  'develop',
  'device_cgroup_rules',
  'driver_opts',
  'external_links',
  'gpus',
  'isolation',
  'label_file',
  'links',
  'mac_address',
  'mem_swappiness',
  'models',
  'oom_kill_disable',
  'post_start',
  'pre_start',
  'pre_stop',
  'pull_refresh_after',
  'provider',
  'storage_opt',
  'use_api_socket',
  'uts',
  'volumes_from',
];

export const DEPLOY_KEYS = ['replicas', 'resources', 'restart_policy', 'mode'] as const;
/** Swarm's: placement and rolling updates mean nothing on one machine. */
export const DEPLOY_SWARM = ['placement', 'update_config', 'rollback_config', 'endpoint_mode', 'labels'];

export const RESTART_POLICY_KEYS = ['condition', 'max_attempts', 'delay', 'window'] as const;

export const TOP_KEYS = ['name', 'services', 'networks', 'volumes', 'secrets', 'configs', 'version', 'include'] as const;
const TOP_REFUSED = ['models'];

export const NETWORK_KEYS = ['driver', 'ipam', 'internal', 'labels', 'name', 'external', 'enable_ipv6', 'enable_ipv4'] as const;
const NETWORK_REFUSED = ['driver_opts'];
const NETWORK_SWARM = ['attachable'];

export const VOLUME_KEYS = ['driver', 'labels', 'name', 'external'] as const;
const VOLUME_REFUSED = ['driver_opts'];

export interface KeyScan {
  /** Paths of keys berth does not run ("services.web.build"). */
  refused: string[];
  /** Paths of keys that are not in the compose-spec at all: most often a typo. */
  unknown: string[];
  /** One line each, for swarm-only keys that are ignored. */
  warnings: string[];
}

interface Level {
  ok: readonly string[];
  refused?: readonly string[];
  swarm?: readonly string[];
  /** Accepted keys that change nothing, with the reason given in the warning. */
  ignored?: Readonly<Record<string, string>>;
}

function scanLevel(o: Map_, path: string, t: Level, out: KeyScan): void {
  for (const k of Object.keys(o)) {
    const p = path ? `${path}.${k}` : k;
    const why = t.ignored?.[k];
    if (why !== undefined) out.warnings.push(`${p}: ignored: ${why}`);
    if (k.startsWith('x-') || t.ok.includes(k)) continue;
    if (t.swarm?.includes(k)) out.warnings.push(`${p}: ignored: a swarm key, with no meaning on one machine`);
    else if (t.refused?.includes(k)) out.refused.push(p);
    else out.unknown.push(p);
  }
}

/** Scans the merged file: every key berth refuses, every unknown key, every swarm-only key. */
export function scanKeys(top: Map_): KeyScan {
  const out: KeyScan = { refused: [], unknown: [], warnings: [] };
  scanLevel(top, '', { ok: TOP_KEYS, refused: TOP_REFUSED, ignored: { version: 'obsolete in the compose-spec; remove it' } }, out);
  if (isMap(top.services)) {
    for (const [name, s] of Object.entries(top.services)) {
      if (!isMap(s)) continue;
      const p = `services.${name}`;
      scanLevel(s, p, { ok: SERVICE_KEYS, refused: SERVICE_REFUSED }, out);
      if (isMap(s.deploy)) {
        scanLevel(s.deploy, `${p}.deploy`, { ok: DEPLOY_KEYS, swarm: DEPLOY_SWARM }, out);
        if (isMap(s.deploy.restart_policy)) {
          const why = 'berth restarts a container at once, as many times as max_attempts allows';
          scanLevel(s.deploy.restart_policy, `${p}.deploy.restart_policy`, { ok: RESTART_POLICY_KEYS, ignored: { delay: why, window: why } }, out);
        }
        const res = s.deploy.resources;
        if (isMap(res)) {
          scanLevel(res, `${p}.deploy.resources`, { ok: ['limits', 'reservations'] }, out);
          if (isMap(res.reservations)) {
            scanLevel(res.reservations, `${p}.deploy.resources.reservations`, { ok: ['memory', 'cpus', 'pids'], refused: ['devices'],
              swarm: ['generic_resources'] }, out);
          }
        }
      }
    }
  }
  for (const [section, ok, refused, swarm] of [
    ['networks', NETWORK_KEYS, NETWORK_REFUSED, NETWORK_SWARM],
    ['volumes', VOLUME_KEYS, VOLUME_REFUSED, []],
  ] as const) {
    const sec = top[section];
    if (!isMap(sec)) continue;
    for (const [name, v] of Object.entries(sec)) if (isMap(v)) scanLevel(v, `${section}.${name}`, { ok, refused, swarm }, out);
  }
  return out;
}

/** Refuses the file if the scan found anything berth cannot run; returns the warnings. */
export function checkKeys(top: Map_, file: string): string[] {
  const s = scanKeys(top);
  if (s.unknown.length > 0) {
    throw invalid('compose.unknown_key', `${file}: ${s.unknown.join(', ')}: not ${s.unknown.length === 1 ? 'a key' : 'keys'} of the compose-spec`,
      'check the spelling; see docs/compose.md');
  }
  if (s.refused.length > 0) {
    throw invalid('compose.unsupported', `${file}: ${s.refused.join(', ')}: not supported by berth`, 'see docs/compose.md for what berth runs');
  }
  return s.warnings;
}
