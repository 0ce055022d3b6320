// The health table: one row a container with a healthcheck, for its current run. Written by the
// health runner after each check and by start; read by ps and inspect.
import type { Db } from './db.js';

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

export interface HealthLogEntry {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export interface HealthRow {
  containerId: string;
  runId: string;
  status: HealthStatus;
  failingStreak: number;
  log: HealthLogEntry[];
  runnerPid: number | null;
  runnerStart: number | null;
}

interface RawHealth {
  container_id: string;
  run_id: string;
  status: HealthStatus;
  failing_streak: number;
  log: string;
  runner_pid: number | null;
  runner_start: number | null;
}

const fromRaw = (r: RawHealth): HealthRow => ({
  containerId: r.container_id,
  runId: r.run_id,
  status: r.status,
  failingStreak: r.failing_streak,
  log: JSON.parse(r.log) as HealthLogEntry[],
  runnerPid: r.runner_pid,
  runnerStart: r.runner_start,
});

export function getHealth(db: Db, containerId: string): HealthRow | undefined {
  const r = db.prepare('SELECT * FROM health WHERE container_id = ?').get(containerId) as RawHealth | undefined;
  return r && fromRaw(r);
}

/** Every container's health, for a listing. */
export function allHealth(db: Db): Map<string, HealthRow> {
  return new Map((db.prepare('SELECT * FROM health').all() as RawHealth[]).map((r) => [r.container_id, fromRaw(r)]));
}

export function putHealth(db: Db, h: HealthRow): void {
  db.prepare(`INSERT INTO health (container_id, run_id, status, failing_streak, log, runner_pid, runner_start) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (container_id) DO UPDATE SET run_id = excluded.run_id, status = excluded.status, failing_streak = excluded.failing_streak,
    log = excluded.log, runner_pid = excluded.runner_pid, runner_start = excluded.runner_start`)
    .run(h.containerId, h.runId, h.status, h.failingStreak, JSON.stringify(h.log), h.runnerPid, h.runnerStart);
}

export function deleteHealth(db: Db, containerId: string): void {
  db.prepare('DELETE FROM health WHERE container_id = ?').run(containerId);
}
