// GET /containers/{id}/stats: Docker's stats document, one-shot (stream=false) or one every
// second until the client goes away. The docker CLI computes CPU % from the difference between
// cpu_stats and precpu_stats over the difference of system_cpu_usage, times online_cpus; berth
// takes both readings itself, so the "system" time is the wall time between them times the
// CPUs, which makes the CLI's arithmetic give the engine's own CPU %.
import { availableParallelism } from 'node:os';
import type { StatsLine } from '../engine/index.js';
import { qBool, sendJson } from './http.js';
import type { Call, Route } from './router.js';

const ncpu = () => availableParallelism();

const monoNs = () => Math.round(performance.now() * 1e6);

/**
 * The document for one sample; `readAt` is when the second reading was taken, `monoAt` the
 * same moment on the monotonic clock (ns), a stand-in for the host's CPU time: only
 * differences of it are ever read. s.intervalNs before it is the precpu reading's moment.
 */
export function statsDoc(s: StatsLine, readAt: Date, oneShot: boolean, monoAt = monoNs()): Record<string, unknown> {
  const cpus = ncpu();
  const sysNow = monoAt * cpus;
  const cpu = (total: number, system: number) => ({
    cpu_usage: { total_usage: total, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    system_cpu_usage: system,
    online_cpus: cpus,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  });
  const zero = { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, system_cpu_usage: 0, online_cpus: 0,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
  return {
    name: `/${s.name}`,
    id: s.id,
    read: readAt.toISOString(),
    preread: oneShot ? '0001-01-01T00:00:00Z' : new Date(readAt.getTime() - s.intervalNs / 1e6).toISOString(),
    pids_stats: { current: s.pids },
    blkio_stats: {
      io_service_bytes_recursive: [{ major: 0, minor: 0, op: 'read', value: s.blkRead }, { major: 0, minor: 0, op: 'write', value: s.blkWrite }],
      io_serviced_recursive: null,
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpu(s.cpuNs, sysNow),
    precpu_stats: oneShot ? zero : cpu(s.preCpuNs, sysNow - Math.round(s.intervalNs) * cpus),
    // The engine's usage is already net of the page cache, so no stats.inactive_file to subtract.
    memory_stats: { usage: s.memUsage, limit: s.memLimit, stats: {} },
    networks: { eth0: { rx_bytes: s.netRx, rx_packets: 0, rx_errors: 0, rx_dropped: 0, tx_bytes: s.netTx, tx_packets: 0, tx_errors: 0, tx_dropped: 0 } },
  };
}

async function stats(c: Call): Promise<void> {
  const stream = qBool(c.query, 'stream', true);
  // one-shot: a single reading without the second one CPU % needs (Docker's one-shot=true).
  const oneShot = qBool(c.query, 'one-shot');
  const x = await c.engine.containers.get(c.params.id!);
  const sample = async () => (await c.engine.containers.stats({ refs: [x.id], all: true, intervalMs: oneShot ? 0 : 1000 }))[0]!;
  if (!stream) {
    const s = await sample();
    return sendJson(c.res, 200, statsDoc(s, new Date(), oneShot));
  }
  c.res.writeHead(200, { 'Content-Type': 'application/json' });
  c.res.flushHeaders();
  // The first sample takes its own two readings; each later one is a single reading a second
  // after the one before, which is its precpu. The docker CLI blanks a container that has sent
  // nothing for two seconds, so a sample must not cost a second of its own on top of the tick.
  let prev = await sample();
  let prevAt = monoNs();
  c.res.write(`${JSON.stringify(statsDoc(prev, new Date(), false, prevAt))}\n`);
  while (!c.signal.aborted && !c.res.writableEnded) {
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (monoNs() - prevAt) / 1e6)));
    if (c.signal.aborted) break;
    // A container that is gone or stopped ends the stream.
    const now = await c.engine.containers.get(x.id).catch(() => null);
    if (!now || (now.status !== 'running' && now.status !== 'paused')) break;
    const s = (await c.engine.containers.stats({ refs: [x.id], all: true, intervalMs: 0 }))[0]!;
    const at = monoNs();
    c.res.write(`${JSON.stringify(statsDoc({ ...s, preCpuNs: prev.cpuNs, intervalNs: at - prevAt }, new Date(), false, at))}\n`);
    prev = s;
    prevAt = at;
  }
  c.res.end();
}

export const statsRoutes: Route[] = [['GET', '/containers/{id}/stats', stats]];
