// The bridge network of a start that has a moment between the runtime's create and its start,
// finished in that moment instead of before the runtime: container-start.ts decides when.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { step } from '../common/fault.js';
import { extraHostLines } from './extra-hosts.js';
import { hostOf } from './host.js';
import { networkContext } from './parts.js';
import type { EngineContext } from './context.js';
import type { Container } from './container-records.js';
import type { ContainerSpec } from './types.js';

/**
 * When a bridge network is finished, for a start that has a moment between the runtime's create
 * and its start (not the foreground run's `runc run`):
 * - `alongside` the runtime's create: the namespace is made first and named in the bundle, and
 *   the veths, addresses, routes, nftables rules and name files are made while the runtime
 *   creates, since the container's process runs nothing before the start;
 * - `after` it, in the namespace the runtime made: a container in a user namespace gets a network
 *   namespace its user namespace owns, so that it may mount sysfs and `exec` may join it (runc
 *   joins the user namespace first, and then may enter only namespaces it owns).
 * Either way /etc/hosts and resolv.conf are bound before they are filled, so the network part
 * writes them in place.
 */
export type LateNetwork = 'alongside' | 'after';

/** A sysctl of one of the container's interfaces is set by the runtime at create: that interface must exist by then. */
export function setsInterfaceSysctl(sysctls: Record<string, string> | undefined): boolean {
  return Object.keys(sysctls ?? {}).some((k) => {
    const [top, , kind, iface] = k.split(/[./]/);
    return top === 'net' && (kind === 'conf' || kind === 'neigh') && !['all', 'default', 'lo'].includes(iface ?? '');
  });
}

export function lateNetwork(c: Container, rootless: boolean, canDefer: boolean): LateNetwork | undefined {
  if (rootless || !canDefer || c.spec.networkMode !== 'bridge') return undefined;
  if (c.spec.userns) return 'after';
  return setsInterfaceSysctl(c.spec.sysctls) ? undefined : 'alongside';
}

/** --add-host's copy of /etc/hosts, written in place (it may be bound already). */
export function writeExtraHosts(runDir: string, hostsFrom: string, extra: NonNullable<ContainerSpec['extraHosts']>): string {
  const withExtra = join(runDir, 'hosts-extra');
  writeFileSync(withExtra, readFileSync(hostsFrom, 'utf8') + extraHostLines(extra));
  return withExtra;
}

/** The late network's work: all of it but the namespace (`alongside`), or all of it on the init's (`after`). */
export async function finishNetwork(ctx: EngineContext, c: Container, runDir: string, pid?: number): Promise<void> {
  const net = await hostOf(ctx).setUpNetwork(networkContext(ctx), c.id, {
    hostname: c.spec.hostname,
    name: c.name,
    ...(pid === undefined ? { nsMade: true } : { pid }),
    ...(c.spec.dns ? { dns: c.spec.dns } : {}),
  });
  if (c.spec.extraHosts && c.spec.extraHosts.length > 0) writeExtraHosts(runDir, net.hostsFile, c.spec.extraHosts);
  // Alongside the create, a berth killed here would leave the runtime's create in flight, with
  // no one to take the step's state as a fixed point: that network's step is its namespace.
  if (pid !== undefined) step('start.network');
}

/**
 * Waits for both the runtime's create (`main`, in processes of its own) and the work done while
 * it runs (`side`), so that a rollback never races a branch still making things. The runtime's
 * failure is the one reported when both fail: it is the one that names the user's command.
 */
export async function alongside<T>(main: Promise<T>, side: () => Promise<void>): Promise<T> {
  const [made, done] = await Promise.allSettled([main, side()]);
  if (made.status === 'rejected') throw made.reason as Error;
  if (done.status === 'rejected') throw done.reason as Error;
  return made.value;
}
