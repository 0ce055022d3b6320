// What berth may leave on a host: mounts, network namespaces, links, nftables tables and the
// chains of berth's own, cgroups, conmon processes, health runners, DNS servers, and rootless
// berth's pause and pasta processes. The suite snapshots them before and compares after.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export interface HostObjects {
  mounts: string[];
  netns: string[];
  links: string[];
  nft: string[];
  nftChains: string[];
  cgroups: string[];
  conmon: string[];
  healthRunners: string[];
  dns: string[];
  /** Rootless berth's pause processes (catatonit -P) and user-mode networks (pasta). */
  rootless: string[];
}

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : '';
}

export function snapshot(): HostObjects {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.includes('berth'));
  const netns = existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.includes('berth')) : [];
  const links = sh('ip', ['-o', 'link', 'show']).split('\n').map((l) => l.split(': ')[1]?.split('@')[0] ?? '').filter((l) => /berth/i.test(l));
  const nft = sh('nft', ['list', 'tables']).split('\n').filter((l) => /berth/i.test(l));
  // A container's published ports are a chain of its own in berth's table (network/names.ts).
  const nftChains = sh('nft', ['list', 'table', 'inet', 'berth']).split('\n').map((l) => /^\s*chain (\S+) \{/.exec(l)?.[1]).filter((c) => c !== undefined);
  const cgroups: string[] = [];
  for (const base of ['/sys/fs/cgroup', ...safeList('/sys/fs/cgroup').map((c) => `/sys/fs/cgroup/${c}`)]) {
    const dir = `${base}/berth`;
    if (existsSync(dir)) { for (const c of safeList(dir)) if (/^[0-9a-f]{64}$/.test(c)) cgroups.push(`${dir}/${c}`); }
  }
  const conmon = sh('pgrep', ['-a', '-x', 'conmon']).split('\n').filter(Boolean);
  // A container's health runner (engine/health-lifecycle.ts) ends with its run, as conmon does.
  const healthRunners = sh('pgrep', ['-a', '-f', 'container health-runner [0-9a-f]{64}']).split('\n').filter(Boolean);
  const dns = sh('pgrep', ['-a', '-x', 'aardvark-dns']).split('\n').filter(Boolean);
  const rootless = [...sh('pgrep', ['-a', '-x', 'catatonit']).split('\n'), ...sh('pgrep', ['-a', '-f', '^pasta --config-net']).split('\n')].filter(Boolean);
  return { mounts: mounts.sort(), netns: netns.sort(), links: links.sort(), nft: nft.sort(), nftChains: nftChains.sort(), cgroups: cgroups.sort(),
    conmon: conmon.sort(), healthRunners: healthRunners.sort(), dns: dns.sort(), rootless: rootless.sort() };
}

function safeList(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

/** Objects in `after` that were not in `before`. */
export function leaked(before: HostObjects, after: HostObjects): Partial<HostObjects> {
  const out: Partial<HostObjects> = {};
  for (const k of Object.keys(after) as (keyof HostObjects)[]) {
    const extra = after[k].filter((x) => !(before[k] ?? []).includes(x));
    if (extra.length > 0) out[k] = extra;
  }
  return out;
}

if (process.argv[2] === 'snapshot') process.stdout.write(JSON.stringify(snapshot()));
