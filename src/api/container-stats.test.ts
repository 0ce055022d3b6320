import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { statsDoc } from './container-stats.js';

const line = { id: 'f'.repeat(64), name: 'web', cpuPercent: 50, memUsage: 1000, memLimit: 4000, memPercent: 25, netRx: 10, netTx: 20, blkRead: 30, blkWrite: 40,
  pids: 3, cpuNs: 1_500_000_000, preCpuNs: 1_000_000_000, intervalNs: 1_000_000_000 };

test("the docker CLI's CPU % arithmetic on the document gives the engine's CPU %", () => {
  const d = statsDoc(line, new Date(), false) as Record<string, any>;
  const cpuDelta = d.cpu_stats.cpu_usage.total_usage - d.precpu_stats.cpu_usage.total_usage;
  const sysDelta = d.cpu_stats.system_cpu_usage - d.precpu_stats.system_cpu_usage;
  const pct = (cpuDelta / sysDelta) * d.cpu_stats.online_cpus * 100;
  assert.equal(Math.round(pct), 50);
  assert.equal(d.cpu_stats.online_cpus, availableParallelism());
  assert.deepEqual([d.memory_stats.usage, d.memory_stats.limit, d.pids_stats.current], [1000, 4000, 3]);
  assert.deepEqual([d.networks.eth0.rx_bytes, d.networks.eth0.tx_bytes], [10, 20]);
  assert.deepEqual(d.blkio_stats.io_service_bytes_recursive.map((x: { op: string; value: number }) => [x.op, x.value]), [['read', 30], ['write', 40]]);
  assert.equal(d.name, '/web');
});

test('one-shot: no precpu reading, as Docker answers one-shot=true', () => {
  const d = statsDoc(line, new Date(), true) as Record<string, any>;
  assert.equal(d.precpu_stats.system_cpu_usage, 0);
  assert.equal(d.preread, '0001-01-01T00:00:00Z');
});
