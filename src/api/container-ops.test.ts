import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toUpdateRequest } from './container-ops.js';

// The docker CLI's update body: every Resources field, zero meaning "not given".
const cliBody = (over: Record<string, unknown>) => ({
  BlkioWeight: 0,
  CpuShares: 0,
  Memory: 0,
  NanoCpus: 0,
  CpusetCpus: '',
  MemorySwap: 0,
  Devices: null,
  Ulimits: null,
  RestartPolicy: { Name: '', MaximumRetryCount: 0 },
  ...over,
});

test('update: only the fields the client set are changed', () => {
  assert.deepEqual(toUpdateRequest(cliBody({ Memory: 64 << 20, NanoCpus: 500_000_000 })), { memory: 64 << 20, cpus: 0.5 });
  assert.deepEqual(toUpdateRequest(cliBody({})), {});
  assert.deepEqual(toUpdateRequest(cliBody({ CpusetCpus: '0-1', PidsLimit: 50 })), { cpusetCpus: '0-1', pidsLimit: 50 });
  assert.deepEqual(toUpdateRequest(cliBody({ RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } })), {
    restart: { name: 'on-failure', maxRetries: 3 },
  });
  assert.deepEqual(toUpdateRequest({ CpuQuota: 50_000, CpuPeriod: 100_000 }), { cpus: 0.5 });
});

test('update: the weights, shares, reservation and swap go to the engine, which checks their ranges', () => {
  assert.deepEqual(toUpdateRequest(cliBody({ BlkioWeight: 300, CpuShares: 256, MemoryReservation: 16 << 20, Memory: 64 << 20, MemorySwap: -1 })), {
    memory: 64 << 20,
    memorySwap: -1,
    memoryReservation: 16 << 20,
    cpuShares: 256,
    blkioWeight: 300,
  });
  // The CLI's default swap (twice the memory) is not a change of its own.
  assert.deepEqual(toUpdateRequest(cliBody({ Memory: 64 << 20, MemorySwap: 128 << 20 })), { memory: 64 << 20 });
});

test('update: what berth does not apply is refused, not dropped', () => {
  assert.throws(() => toUpdateRequest(cliBody({ KernelMemory: 1 << 20 })), /KernelMemory is not supported/);
  assert.throws(() => toUpdateRequest(cliBody({ Memory: 1024 })), /Minimum memory limit/);
  assert.throws(() => toUpdateRequest(cliBody({ CpusetCpus: '0; rm -rf /' })), /CpusetCpus/);
  assert.throws(() => toUpdateRequest(cliBody({ RestartPolicy: { Name: 'sometimes' } })), /invalid restart policy/);
  assert.throws(() => toUpdateRequest(cliBody({ Memory: '1g' })), /whole number/);
  assert.throws(() => toUpdateRequest([]), /must be an object/);
});
