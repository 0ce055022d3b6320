import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyResources } from '../../engine/types.js';
import { limitsText } from './ps-limits.js';

test("ps's LIMITS: every limit set, compactly, in the flags' own units", () => {
  assert.equal(limitsText(emptyResources()), '');
  assert.equal(limitsText({ ...emptyResources(), memory: 32 << 20, cpus: 0.5, cpusetCpus: '0', pidsLimit: 64 }), 'mem=32m,cpus=0.5,cpuset=0,pids=64');
  assert.equal(
    limitsText({
      ...emptyResources(),
      memory: 1 << 30,
      memorySwap: 3 << 29,
      memoryReservation: 512 << 10,
      cpuShares: 512,
      cpuPeriod: 50_000,
      cpuQuota: 25_000,
      blkioWeight: 300,
    }),
    'mem=1g,swap=1536m,memres=512k,shares=512,quota=25000/50000,blkio=300',
  );
  assert.equal(limitsText({ ...emptyResources(), memory: 64 << 20, memorySwap: -1, cpuQuota: 50_000 }), 'mem=64m,swap=unlimited,quota=50000/100000');
  assert.equal(limitsText({ ...emptyResources(), cpuPeriod: 20_000, memory: 10_000_000 }), 'mem=10m,period=20000');
  assert.equal(limitsText({ ...emptyResources(), blkio: { readBps: [{ path: '/dev/sda', rate: 1 }], writeBps: [], readIops: [], writeIops: [] } }), 'io');
});
