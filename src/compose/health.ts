// Healthchecks for `depends_on: condition: service_healthy`. berth has no daemon to run them
// in the background, so compose runs a service's check itself, through the engine's probe (an
// exec with its output discarded), until it passes or has failed `retries` times in a row.
import { unavailable } from '../common/errors.js';
import type { Container, Engine } from '../engine/index.js';
import { LABEL_SERVICE, type ComposeProject, type ServiceHealthcheck } from './model.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One run of the check: true when the command exits 0 within the timeout. */
export function probe(engine: Engine, containerId: string, hc: ServiceHealthcheck): Promise<boolean> {
  return engine.containers.probe(containerId, hc.test, hc.timeoutMs);
}

/**
 * Waits until the container is healthy. Failures during the start period do not count; while
 * it lasts the check runs every second (at most) so that `up` is not slower than the service.
 */
export async function waitHealthy(engine: Engine, containerId: string, hc: ServiceHealthcheck): Promise<void> {
  const started = Date.now();
  let failures = 0;
  for (;;) {
    const c = await engine.containers.get(containerId);
    if (c.status !== 'running') throw unavailable('compose.dependency_exited', `container ${c.name} exited (${c.exitCode ?? '?'}) before it became healthy`);
    if (await probe(engine, containerId, hc)) return;
    const inStart = Date.now() - started < hc.startPeriodMs;
    if (!inStart && ++failures >= hc.retries) {
      throw unavailable('compose.unhealthy', `container ${c.name} is unhealthy: its healthcheck failed ${failures} times in a row`,
        `try it by hand: berth exec ${c.name} ${hc.test.join(' ')}`);
    }
    await sleep(inStart ? Math.min(hc.intervalMs, 1000) : hc.intervalMs);
  }
}

/**
 * `up --wait`: every container of the services is running, and healthy when its service has a
 * healthcheck. A container that exited is a failure, as in Compose, unless some service waits
 * for it to complete (depends_on: service_completed_successfully) and it exited 0.
 */
export async function waitReady(engine: Engine, p: ComposeProject, ctrs: readonly Container[], log: (line: string) => void): Promise<void> {
  const completes = new Set(p.services.flatMap((s) => s.dependsOn.filter((d) => d.condition === 'service_completed_successfully').map((d) => d.service)));
  for (const c of ctrs) {
    const s = p.services.find((x) => x.name === c.labels[LABEL_SERVICE]);
    const now = await engine.containers.get(c.id);
    if (now.status !== 'running') {
      if (s && completes.has(s.name) && now.exitCode === 0) continue;
      throw unavailable('compose.container_exited', `container ${c.name} exited (${now.exitCode ?? '?'})`);
    }
    if (s?.healthcheck) {
      log(` Container ${c.name}  Waiting`);
      await waitHealthy(engine, c.id, s.healthcheck);
      log(` Container ${c.name}  Healthy`);
    }
  }
}
