// A run with a healthcheck begins as "starting" with a runner of its own, and at its end the
// runner is told to go. Apart from health-run.ts (the checks, through exec), so that start and
// finalize, on every container's path, load only this.
import { tx } from '../state/db.js';
import { getHealth, putHealth, type HealthRow } from '../state/health.js';
import type { Container } from './container-records.js';
import type { EngineContext } from './context.js';
import { hostOf } from './host.js';

export function freshRow(c: Container, runId: string): HealthRow {
  return { containerId: c.id, runId, status: 'starting', failingStreak: 0, log: [], runnerPid: null, runnerStart: null };
}

/**
 * At each start of a container with a healthcheck: its health begins again as "starting", and a
 * runner is started for this run. Best effort: a runner that cannot start leaves the container
 * running and `starting`, and `healthcheck run` still works.
 */
export function beginHealth(ctx: EngineContext, c: Container, runId: string): void {
  if (!c.spec.healthcheck) return;
  const row = freshRow(c, runId);
  tx(ctx.db, () => putHealth(ctx.db, row));
  const pid = hostOf(ctx).startHealthRunner(ctx.config.self.path, [...ctx.config.self.args, 'container', 'health-runner', c.id, runId]);
  if (pid === null) return;
  const start = hostOf(ctx).processStartTime(pid);
  tx(ctx.db, () => {
    const now = getHealth(ctx.db, c.id);
    if (now?.runId === runId) putHealth(ctx.db, { ...now, runnerPid: pid, runnerStart: start });
  });
}

/** At the end of a run: its runner is told to go (it would find out at its next tick anyway). */
export function endHealth(ctx: EngineContext, id: string): void {
  const h = getHealth(ctx.db, id);
  if (h?.runnerPid == null || h.runnerPid === process.pid) return;
  if (hostOf(ctx).processAlive(h.runnerPid, h.runnerStart)) {
    try {
      hostOf(ctx).signal(h.runnerPid, 'SIGTERM');
    } catch {
      // gone meanwhile
    }
  }
}
