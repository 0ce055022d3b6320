// Bridges, veths and namespaces through iproute2. Commands are grouped into `ip -batch` runs so
// a container start costs a handful of processes, not one per step.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { run } from '../sys/exec.js';

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
export function ensureBridgeLink(bridge: string, gatewayCidr: string, mac: string): boolean {
  const created = !linkExists(bridge);
  const rest = [`link set ${bridge} address ${mac}`, `addr replace ${gatewayCidr} dev ${bridge}`, `link set ${bridge} up`];
  try {
    ipBatch(created ? [`link add ${bridge} type bridge`, ...rest] : rest);
  } catch (e) {
    // A parallel start of another container on this network made it first.
    if (!created || !linkExists(bridge)) throw e;
    ipBatch(rest);
  }
  // Published ports reached at 127.0.0.1 are DNATed out of this bridge with a loopback source;
  // the kernel drops such packets as martians unless route_localnet is on for the interface.
  writeSysctl(`net/ipv4/conf/${bridge}/route_localnet`, '1');
  return created;
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
