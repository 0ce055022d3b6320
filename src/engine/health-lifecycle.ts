// A run with a healthcheck begins as "starting" with a runner of its own, and at its end the
// runner is told to go. Apart from health-run.ts (the checks, through exec), so that start and
// finalize, on every container's path, load only this.
import { tx } from '../state/db.js';
import { getHealth, putHealth, type HealthRow } from '../state/health.js';
import type { Container } from './container-records.js';
import type { EngineContext } from './context.js';
import { hostOf } from './host.js';
import { step } from '../common/fault.js';
import { listProcesses } from '../sys/proc.js';

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
  step('health.recorded');
  const pid = hostOf(ctx).startHealthRunner(ctx.config.self.path, [...ctx.config.self.args, 'container', 'health-runner', c.id, runId]);
  if (pid === null) return;
  step('health.started');
  const start = hostOf(ctx).processStartTime(pid);
  tx(ctx.db, () => {
    const now = getHealth(ctx.db, c.id);
    if (now?.runId === runId) putHealth(ctx.db, { ...now, runnerPid: pid, runnerStart: start });
  });
}

/** At the end of a run: its runner is told to go (it would find out at its next tick anyway). */
export function endHealth(ctx: EngineContext, id: string): void {
  const h = getHealth(ctx.db, id);
  if (h === undefined) return;
  if (h.runnerPid === null) {
    endUnrecordedRunners(ctx, id);
    return;
  }
  if (h.runnerPid === process.pid) return;
  if (hostOf(ctx).processAlive(h.runnerPid, h.runnerStart)) {
    try {
      hostOf(ctx).signal(h.runnerPid, 'SIGTERM');
    } catch {
      // gone meanwhile
    }
  }
}

/**
 * A start killed between starting the runner and recording its pid leaves a runner nobody
 * names; it would wait out its interval (an hour, maybe) before seeing its run gone. Found by its
 * command line (`--root ROOT ... container health-runner ID RUN`), only when the record has none.
 */
function endUnrecordedRunners(ctx: EngineContext, id: string): void {
  for (const p of listProcesses()) {
    if (p.pid === process.pid) continue;
    const at = p.cmdline.indexOf('health-runner');
    const r = p.cmdline.indexOf('--root');
    if (at < 1 || p.cmdline[at - 1] !== 'container' || p.cmdline[at + 1] !== id || r < 0 || p.cmdline[r + 1] !== ctx.paths.root) continue;
    try {
      hostOf(ctx).signal(p.pid, 'SIGTERM');
    } catch { /* gone meanwhile */ }
  }
}
