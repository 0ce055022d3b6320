// Healthchecks without a daemon. Each start of a container with a healthcheck records it as
// "starting" and starts its health runner: a detached `berth container health-runner ID RUN`
// beside conmon, which sleeps out the interval, runs the check (an exec), records the outcome
// and ends by itself once the run it was started for is over. berth's own exit does not touch it;
// the container's exit (finalize) signals it. `healthcheck run` runs one check by hand.
// docs/ARCHITECTURE.md ("Healthchecks") says why it is a process and not a timer.
import { invalid } from '../common/errors.js';
import { tx } from '../state/db.js';
import { getHealth, putHealth, type HealthLogEntry, type HealthRow, type HealthStatus } from '../state/health.js';
import { lookup, reload, type Container } from './container-records.js';
import { freshRow } from './health-lifecycle.js';
import type { EngineContext } from './context.js';
import { execCaptured } from './exec.js';
import { recordContainerEvent } from './events.js';
import type { Healthcheck } from './types.js';

/** Docker's: the log keeps the last five checks, each with at most 4 KiB of output. */
const MAX_LOG = 5;
const MAX_OUTPUT = 4096;

export interface HealthCheckOutcome {
  status: HealthStatus;
  exitCode: number;
  output: string;
}

/** The next row after one check (pure): Docker's rules for the streak and the start period. */
export function nextHealth(prev: HealthRow, hc: Healthcheck, entry: HealthLogEntry, inStartPeriod: boolean): HealthRow {
  const log = [...prev.log, entry].slice(-MAX_LOG);
  if (entry.ExitCode === 0) return { ...prev, status: 'healthy', failingStreak: 0, log };
  // A failure in the start period does not count, until the check has once succeeded.
  if (inStartPeriod && prev.status === 'starting') return { ...prev, log };
  const failingStreak = prev.failingStreak + 1;
  return { ...prev, failingStreak, status: failingStreak >= hc.retries ? 'unhealthy' : prev.status, log };
}

/** Runs the check once in the running container `c` and records the outcome for its run. */
async function checkOnce(ctx: EngineContext, c: Container, hc: Healthcheck): Promise<HealthCheckOutcome> {
  const started = new Date();
  let output = '';
  const take = (b: Buffer) => {
    if (output.length < MAX_OUTPUT) output = (output + b.toString('utf8')).slice(0, MAX_OUTPUT);
  };
  let exitCode: number;
  try {
    exitCode = await execCaptured(ctx, c.id, { args: hc.test, env: [] }, { stdout: take, stderr: take }, hc.timeoutMs);
  } catch (e) {
    exitCode = -1;
    output = e instanceof Error ? e.message : String(e);
  }
  const ended = new Date();
  if (exitCode === 124 && ended.getTime() - started.getTime() >= hc.timeoutMs) {
    exitCode = -1;
    output = `Health check exceeded timeout (${hc.timeoutMs / 1000}s)`;
  }
  const entry: HealthLogEntry = { Start: started.toISOString(), End: ended.toISOString(), ExitCode: exitCode, Output: output };
  const inStart = Date.now() - Date.parse(c.startedAt ?? '') < hc.startPeriodMs;
  const { row, was, now } = tx(ctx.db, () => {
    const now = reload(ctx, c.id);
    if (now.runId === null) throw invalid('health.not_running', `container ${c.name} is not running`);
    const prev = getHealth(ctx.db, c.id);
    const base = prev && prev.runId === now.runId ? prev : freshRow(now, now.runId);
    const next = nextHealth(base, hc, entry, inStart);
    putHealth(ctx.db, next);
    return { row: next, was: base.status, now };
  });
  // Docker's event on a change of verdict: what follows the journal (the dashboard, `events`)
  // learns of it without reading every container's health again.
  if (row.status !== was) recordContainerEvent(ctx, `health_status: ${row.status}`, now);
  return { status: row.status, exitCode, output };
}

function healthcheckOf(c: Container): Healthcheck {
  const hc = c.spec.healthcheck;
  if (!hc) throw invalid('health.none', `container ${c.name} has no defined healthcheck`);
  return hc;
}

/** `berth healthcheck run`: one check now, recorded like the runner's. */
export async function runHealthcheck(ctx: EngineContext, ref: string): Promise<HealthCheckOutcome> {
  const c = lookup(ctx, ref);
  const hc = healthcheckOf(c);
  if (c.status !== 'running') throw invalid('health.not_running', `container ${c.name} is not running`, 'start it first');
  return checkOnce(ctx, c, hc);
}

/** The runner's loop: until the run `runId` is over, or another runner has taken its place. */
export async function healthRunner(ctx: EngineContext, id: string, runId: string): Promise<void> {
  for (;;) {
    let c: Container;
    try {
      c = reload(ctx, id);
    } catch {
      return; // removed
    }
    const hc = c.spec.healthcheck;
    if (!hc || c.runId !== runId || (c.status !== 'running' && c.status !== 'paused')) return;
    const mine = getHealth(ctx.db, id);
    if (mine?.runId !== runId || (mine.runnerPid !== null && mine.runnerPid !== process.pid)) return;
    await new Promise((r) => setTimeout(r, hc.intervalMs));
    c = reload(ctx, id);
    if (c.runId !== runId || c.status !== 'running') {
      if (c.status === 'paused') continue; // Docker skips the checks of a paused container
      return;
    }
    try {
      await checkOnce(ctx, c, hc);
    } catch {
      return; // the run ended while it was checked
    }
  }
}
