// After a reboot: the records of the previous boot are closed, every network's bridge is made
// again, and the containers whose restart policy asks for it are started, in the order they were
// created (compose creates a project's services in dependency order). Also `start --all`.
import { matchesStartFilter, type StartAllFilter } from './start-filter.js';
import type { EngineContext } from './context.js';
import { hostOf } from './host.js';
import type { Container } from './container-records.js';
import { reconcileAll } from './container-finalize.js';
import { startContainer } from './container-start.js';
import { networkContext } from './parts.js';

export type { StartAllFilter };

export interface StartAllReport {
  started: Container[];
  failed: Array<{ container: Container; message: string }>;
}

export interface BootReport extends StartAllReport {
  /** Networks whose bridge and nftables elements were made again. */
  networks: string[];
}

/**
 * Whether a container comes back at boot, as Docker's daemon brings them back at its start:
 * `always` even when the user had stopped it, `unless-stopped` unless the user had; never one
 * that was never started, nor one already run in this boot (a second `system boot` is a no-op).
 */
export function wantsBoot(c: Pick<Container, 'status' | 'spec' | 'stopRequested' | 'startedAt' | 'bootId'>, currentBoot: string): boolean {
  if (c.status === 'running' || c.startedAt === null || c.bootId === currentBoot) return false;
  switch (c.spec.restart.name) {
    case 'always':
      return true;
    case 'unless-stopped':
      return !c.stopRequested;
    case 'no':
    case 'on-failure':
      return false;
  }
}

async function startEach(ctx: EngineContext, list: readonly Container[]): Promise<StartAllReport> {
  const report: StartAllReport = { started: [], failed: [] };
  // Oldest first: what a container depends on was created before it.
  const ordered = [...list].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
  for (const c of ordered) {
    try {
      report.started.push(await startContainer(ctx, c.id));
    } catch (e) {
      // One container that cannot start must not keep the others down.
      report.failed.push({ container: c, message: e instanceof Error ? e.message : String(e) });
    }
  }
  return report;
}

/** `start --all`: every container that is not running and matches the filter. */
export async function startAll(ctx: EngineContext, filter: StartAllFilter = {}): Promise<StartAllReport> {
  const list = reconcileAll(ctx).filter((c) => c.status !== 'running' && matchesStartFilter(c, filter));
  return startEach(ctx, list);
}

/** `system boot`, run once a boot by contrib/systemd/berth-boot.service. */
export async function bootSystem(ctx: EngineContext): Promise<BootReport> {
  // Closes the previous boot's runs first: each is recorded exited (finished by this boot's
  // start at the latest) and whatever of it survived a soft reboot is released.
  const all = reconcileAll(ctx);
  const networks = hostOf(ctx).restoreBridges(networkContext(ctx));
  const boot = hostOf(ctx).bootId();
  const report = await startEach(ctx, all.filter((c) => wantsBoot(c, boot)));
  return { ...report, networks };
}
