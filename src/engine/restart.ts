// Restart policies as Docker applies them, as pure functions: the exit callback asks whether a
// run that just ended should be followed by another, and after how long.
import { invalid } from '../common/errors.js';
import type { RestartPolicy } from './types.js';

/** Docker's restart manager: 100 ms, doubled at each restart up to a minute. */
export const FIRST_DELAY_MS = 100;
export const MAX_DELAY_MS = 60_000;
/** A run that lasted this long was a good one: the back-off starts over. */
export const GOOD_RUN_MS = 10_000;

/** "no", "always", "unless-stopped", "on-failure" and "on-failure:N" (the CLI's and compose's syntax). */
export function parseRestartPolicy(text: string | undefined, what = '--restart'): RestartPolicy {
  if (text === undefined || text === '' || text === 'no') return { name: 'no', maxRetries: 0 };
  const m = /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(text);
  if (!m || (m[2] !== undefined && m[1] !== 'on-failure')) {
    throw invalid('restart.bad', `invalid ${what} "${text}": expected no, on-failure[:N], always or unless-stopped`);
  }
  return { name: m[1] as RestartPolicy['name'], maxRetries: m[2] ? Number(m[2]) : 0 };
}

export interface EndedRun {
  exitCode: number;
  /** The user stopped or killed it: no policy revives it. */
  stopRequested: boolean;
  /** Restarts made by the policy since the user last started it. */
  restartCount: number;
}

export function shouldRestart(p: RestartPolicy, run: EndedRun): boolean {
  if (run.stopRequested) return false;
  switch (p.name) {
    case 'no':
      return false;
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return run.exitCode !== 0 && (p.maxRetries === 0 || run.restartCount < p.maxRetries);
  }
}

/**
 * The delay before the next restart, from the previous delay (0 for none yet) and how long the
 * run that just ended lasted. Example: a command that fails at once waits 100, 200, 400 ms, …,
 * then a minute between tries; once a run lasts 10 s, the next failure waits 100 ms again.
 */
export function nextRestartDelay(previousMs: number, ranMs: number): number {
  if (ranMs >= GOOD_RUN_MS || previousMs <= 0) return FIRST_DELAY_MS;
  return Math.min(previousMs * 2, MAX_DELAY_MS);
}
