// Name resolution between containers: aardvark-dns, Podman's DNS server (Debian package
// aardvark-dns). Why a server and not rewritten /etc/hosts files: a hosts file is bind-mounted
// into every running container and would have to be rewritten in place in all of them on each
// change (racy with readers, and a renamed file is never seen through a bind mount); an alias
// shared by replicas must answer with all of them, which a DNS A record set does and glibc's
// hosts lookup does not reliably; and images whose tools query DNS directly (nslookup, nginx's
// resolver) see only DNS. aardvark answers each querier only with names of the networks it
// shares, and serves all networks from one daemonised process, so berth
// stays daemonless as Podman does: the process lives exactly while some container is running
// on a berth network of this runroot, and its pid is kept in the runroot.
//
// The configuration is derived each time from the instances file plus the kernel (an endpoint
// is live when its container's namespace exists), so a crash never leaves it stale for long.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../sys/atomic.js';
import { run } from '../sys/exec.js';
import { mountNamespace } from '../sys/proc.js';
import { sendSignal } from '../sys/signal.js';
import { step } from '../common/fault.js';
import type { NetCtx } from './context.js';
import { netnsExists } from './kernel.js';
import { DEFAULT_NETWORK, netnsName } from './names.js';
import type { NetworkRow } from './store.js';

export const AARDVARK = '/usr/lib/podman/aardvark-dns';

export const dnsConfigDir = (ctx: NetCtx) => join(ctx.paths.runroot, 'network', 'aardvark');
export const dnsPidFile = (ctx: NetCtx) => join(ctx.paths.runroot, 'network', 'aardvark.pid');

export interface DnsEntry {
  containerId: string;
  ip: string;
  names: string[];
}

/** One network's aardvark file: the listening address, then `id ipv4 ipv6 names`. */
export function aardvarkConfig(gateway: string, entries: readonly DnsEntry[]): string {
  const lines = [gateway];
  for (const e of entries) lines.push(`${e.containerId} ${e.ip}  ${[...new Set(e.names)].join(',')}`);
  return lines.join('\n') + '\n';
}

function liveEntries(ctx: NetCtx): Map<NetworkRow, DnsEntry[]> {
  const byNet = new Map<NetworkRow, DnsEntry[]>();
  const live = new Map<string, boolean>();
  const eps = ctx.store.addressedEndpoints();
  for (const net of ctx.store.networks()) {
    // The default network has no name service, as in Docker (default bridge) and Podman
    // (dns_enabled false on "podman"): a plain `run` then leaves no server process behind.
    if (net.name === DEFAULT_NETWORK) continue;
    const entries: DnsEntry[] = [];
    for (const ep of eps) {
      if (ep.network !== net.name) continue;
      let up = live.get(ep.container_id);
      if (up === undefined) live.set(ep.container_id, up = netnsExists(netnsName(ep.container_id)));
      if (!up) continue;
      const name = ctx.store.containerName(ep.container_id);
      const aliases = JSON.parse(ep.aliases) as string[];
      entries.push({ containerId: ep.container_id, ip: ep.ip!, names: [...(name ? [name] : []), ...aliases] });
    }
    if (entries.length > 0) byNet.set(net, entries);
  }
  return byNet;
}

/** Without aardvark-dns containers still run; they just resolve through the host's servers. */
export function dnsAvailable(): boolean {
  return existsSync(AARDVARK);
}

/** Rewrites the DNS configuration from the records and starts, reloads or stops the server. */
export function refreshDns(ctx: NetCtx): void {
  if (!dnsAvailable()) return;
  // The write lock serialises berths of this root, so only one of them starts the server.
  ctx.store.transaction(() => {
    const dir = dnsConfigDir(ctx);
    const byNet = liveEntries(ctx);
    if (byNet.size === 0) {
      stopDns(ctx);
      rmSync(dir, { recursive: true, force: true });
      return;
    }
    mkdirSync(dir, { recursive: true });
    const wanted = new Set<string>();
    for (const [net, entries] of byNet) {
      wanted.add(net.name);
      writeFileAtomic(join(dir, net.name), aardvarkConfig(net.gateway, entries));
    }
    for (const f of readdirSync(dir)) {
      if (f !== 'aardvark.pid' && !wanted.has(f)) rmSync(join(dir, f), { force: true });
    }
    const gateways = [...byNet.keys()].map((n) => n.gateway);
    const pid = dnsPid(ctx) ?? adoptDns(ctx);
    if (pid !== undefined) {
      // aardvark-dns 1.4 (Debian 12) reloads on SIGHUP by closing and rebinding every listener
      // (containers/aardvark-dns#389; later versions keep unchanged ones). Waiting until each
      // gateway has a fresh socket makes "resolvable at once" true when we return.
      const before = boundSockets(gateways, 53);
      // A server that died since dnsPid looked is replaced below rather than waited for.
      if (sendSignal(pid, 'SIGHUP')) {
        waitBound(gateways, 53, before);
        return;
      }
    }
    // aardvark daemonises itself; its parent exits before the listeners are bound.
    run(AARDVARK, ['--config', dir, '-p', '53', 'run']);
    const started = Number(readFileSync(join(dir, 'aardvark.pid'), 'utf8').trim());
    step('dns.started');
    writeFileSync(dnsPidFile(ctx), `${started}\n`);
    waitBound(gateways, 53, new Map());
  });
}

/**
 * A server started by a berth killed before it wrote the pid file: aardvark's own pid file (in its
 * configuration directory) names it. Taken over rather than started twice, since the first holds
 * the gateways' port 53.
 */
function adoptDns(ctx: NetCtx): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dnsConfigDir(ctx), 'aardvark.pid'), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!isOurAardvark(pid, dnsConfigDir(ctx))) return undefined;
  writeFileSync(dnsPidFile(ctx), `${pid}\n`);
  return pid;
}

/** The pid of this runroot's server if it is alive (checked against /proc, not just the file). */
export function dnsPid(ctx: NetCtx): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(dnsPidFile(ctx), 'utf8').trim());
  } catch {
    return undefined;
  }
  return isOurAardvark(pid, dnsConfigDir(ctx)) ? pid : undefined;
}

function isOurAardvark(pid: number, dir: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0];
    // Another mount namespace's server (berth in a container) names its own runroot at this path.
    return state !== 'Z' && cmd.some((a) => a.endsWith('aardvark-dns')) && cmd.includes(dir) && mountNamespace(pid) === mountNamespace('self');
  } catch {
    return false;
  }
}

export function stopDns(ctx: NetCtx): void {
  // One that no pid file names (a berth killed right after starting it) is stopped too.
  const pid = dnsPid(ctx) ?? adoptDns(ctx);
  if (pid !== undefined) {
    sendSignal(pid, 'SIGTERM');
    const dir = dnsConfigDir(ctx);
    const deadline = Date.now() + 3000;
    while (isOurAardvark(pid, dir) && Date.now() < deadline) sleepMs(20);
    if (isOurAardvark(pid, dir)) sendSignal(pid, 'SIGKILL');
  }
  rmSync(dnsPidFile(ctx), { force: true });
}

/** /proc/net/udp's local address of ip:port (the address in host byte order, as hex). */
export function procNetUdpKey(ip: string, port: number): string {
  const b = ip.split('.').map(Number);
  const bytes = endianness() === 'LE' ? b.reverse() : b;
  return `${bytes.map((x) => x.toString(16).padStart(2, '0')).join('')}:${port.toString(16).padStart(4, '0')}`.toUpperCase();
}

/** Socket inode of each bound ip:port among `ips`, from /proc/net/udp. */
function boundSockets(ips: readonly string[], port: number): Map<string, string> {
  const want = new Set(ips.map((ip) => procNetUdpKey(ip, port)));
  const out = new Map<string, string>();
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols[1] && want.has(cols[1]) && cols[9]) out.set(cols[1], cols[9]);
  }
  return out;
}

/**
 * Waits (at most 1.5 s) until every ip:port is bound by a socket other than the one it had in
 * `before`; a server that kept a socket across the reload is fine once the time is up.
 */
function waitBound(ips: readonly string[], port: number, before: ReadonlyMap<string, string>): void {
  const keys = ips.map((ip) => procNetUdpKey(ip, port));
  const deadline = Date.now() + 1500;
  for (;;) {
    const now = boundSockets(ips, port);
    const allBound = keys.every((k) => now.has(k));
    if (allBound && keys.every((k) => now.get(k) !== before.get(k))) return;
    if (Date.now() > deadline) return;
    sleepMs(5);
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function dnsRunning(ctx: NetCtx): boolean {
  return existsSync(dnsPidFile(ctx)) && dnsPid(ctx) !== undefined;
}
