// Healthchecks for `depends_on: condition: service_healthy`. berth has no daemon to run them
// in the background, so compose runs a service's check itself, through `berth exec` (the
// same code path a user takes), until it passes or has failed `retries` times in a row.
import { unavailable } from '../common/errors.js';
import type { EngineContext } from '../engine/context.js';
import { lookup, reconcileOne } from '../engine/containers.js';
import { run } from '../sys/exec.js';
import type { ServiceHealthcheck } from './model.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start-up of the `berth exec` process itself, which the check's own timeout should not pay for. */
const EXEC_SLACK_MS = 5000;

/** One run of the check: true when the command exits 0 within the timeout. */
export function probe(ctx: EngineContext, containerId: string, hc: ServiceHealthcheck): boolean {
  const self = ctx.config.self;
  try {
    const r = run(self.path, [...self.args, 'exec', containerId, ...hc.test], { allowFail: true, timeoutMs: hc.timeoutMs + EXEC_SLACK_MS });
    return r.status === 0;
  } catch {
    return false; // timed out (run throws on a timeout even with allowFail)
  }
}

/**
 * Waits until the container is healthy. Failures during the start period do not count; while
 * it lasts the check runs every second (at most) so that `up` is not slower than the service.
 */
export async function waitHealthy(ctx: EngineContext, containerId: string, hc: ServiceHealthcheck): Promise<void> {
  const started = Date.now();
  let failures = 0;
  for (;;) {
    const c = reconcileOne(ctx, lookup(ctx, containerId));
    if (c.status !== 'running') throw unavailable('compose.dependency_exited', `container ${c.name} exited (${c.exitCode ?? '?'}) before it became healthy`);
    if (probe(ctx, containerId, hc)) return;
    const inStart = Date.now() - started < hc.startPeriodMs;
    if (!inStart && ++failures >= hc.retries) {
      throw unavailable('compose.unhealthy', `container ${c.name} is unhealthy: its healthcheck failed ${failures} times in a row`, `try it by hand: berth exec ${c.name} ${hc.test.join(' ')}`);
    }
    await sleep(inStart ? Math.min(hc.intervalMs, 1000) : hc.intervalMs);
  }
}
