// Bridges, veths and namespaces through iproute2. Commands are grouped into `ip -batch` runs so
// a container start costs a handful of processes, not one per step.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { run, runAsync } from '../sys/exec.js';

export function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

/** Runs iproute2 commands (one per line) in one process, optionally inside a namespace. */
export function ipBatch(lines: readonly string[], opts: { netns?: string; force?: boolean } = {}): void {
  if (lines.length === 0) return;
  const args = [...(opts.netns ? ['-n', opts.netns] : []), ...(opts.force ? ['-force'] : []), '-batch', '-'];
  run('ip', args, { input: lines.join('\n') + '\n' });
}

/**
 * Creates the bridge if absent and (re)asserts its MAC and gateway address; idempotent.
 * The MAC is set explicitly because a bridge otherwise takes the lowest MAC of its ports: each
 * container joining could change it, and the others, holding the gateway's old MAC in their
 * ARP cache, would lose the gateway (DNS, NAT, published ports) for seconds.
 */
export function ensureBridgeLink(bridge: string, gatewayCidr: string, mac: string, owner?: string): boolean {
  const created = !linkExists(bridge);
  ipBatchWithBridges([{ bridge, gatewayCidr, mac, ...(owner !== undefined ? { owner } : {}) }], []);
  return created;
}

export interface BridgeLink {
  bridge: string;
  gatewayCidr: string;
  mac: string;
  /** The owning root's mark (names.ts bridgeOwnerMark), set as the link's alias. */
  owner?: string;
}

/** A link's alias (ifalias), '' when it has none. */
export function linkAlias(name: string): string {
  try {
    return readFileSync(`/sys/class/net/${name}/ifalias`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * ensureBridgeLink for several bridges, followed by `more` lines, in one `ip -batch`: a
 * container start makes its bridges, its namespace and its veths with one process.
 */
export function ipBatchWithBridges(bridges: readonly BridgeLink[], more: readonly string[]): void {
  const lines = (create: boolean) =>
    bridges.flatMap((b) => [
      ...(create && !linkExists(b.bridge) ? [`link add ${b.bridge} type bridge`] : []),
      `link set ${b.bridge} address ${b.mac}`,
      ...(b.owner !== undefined ? [`link set ${b.bridge} alias ${b.owner}`] : []),
      `addr replace ${b.gatewayCidr} dev ${b.bridge}`,
      `link set ${b.bridge} up`,
    ]);
  const first = lines(true);
  try {
    ipBatch([...first, ...more]);
  } catch (e) {
    // A parallel start of another container on the same network made a bridge first: `ip`
    // stopped at that `link add`, before anything else ran, so the batch runs again without it.
    const failedAt = /Command failed -:(\d+)/.exec((e as { result?: { stderr?: string } }).result?.stderr ?? '');
    const line = failedAt ? first[Number(failedAt[1]) - 1] : undefined;
    if (!line?.startsWith('link add ') || !bridges.every((b) => linkExists(b.bridge))) throw e;
    ipBatch([...lines(false), ...more]);
  }
  // Published ports reached at 127.0.0.1 are DNATed out of this bridge with a loopback source;
  // the kernel drops such packets as martians unless route_localnet is on for the interface.
  for (const b of bridges) writeSysctl(`net/ipv4/conf/${b.bridge}/route_localnet`, '1');
}

export function deleteLink(name: string): void {
  if (linkExists(name)) run('ip', ['link', 'del', name], { allowFail: true });
}

export function writeSysctl(key: string, value: string): void {
  writeFileSync(`/proc/sys/${key}`, value);
}

/** Routing is what makes a bridge network reach out; Docker and Podman set this too. */
export function enableForwarding(): void {
  writeSysctl('net/ipv4/ip_forward', '1');
}

export function hostRoutes(): string {
  return run('ip', ['-4', 'route', 'show', 'table', 'all']).stdout;
}

export function netnsExists(name: string): boolean {
  return existsSync(`/run/netns/${name}`);
}

export function addNetns(name: string): void {
  run('ip', ['netns', 'add', name]);
}

/** addNetns, while berth goes on. */
export async function addNetnsAsync(name: string): Promise<void> {
  await runAsync('ip', ['netns', 'add', name]);
}

export function deleteNetns(name: string): void {
  if (netnsExists(name)) run('ip', ['netns', 'del', name], { allowFail: true });
}

export function listLinks(prefix: string): string[] {
  try {
    return readdirSync('/sys/class/net').filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
}

export function listNetns(): string[] {
  try {
    return readdirSync('/run/netns');
  } catch {
    return [];
  }
}
