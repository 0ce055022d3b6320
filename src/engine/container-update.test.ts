import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveResources, updatedSpec } from './container-update.js';
import { emptyResources, type ContainerSpec } from './types.js';
import { isBerthError } from '../common/errors.js';

const spec = (over: Partial<ContainerSpec> = {}): ContainerSpec => ({
  version: 1,
  entrypoint: [],
  cmd: ['sh'],
  args: ['sh'],
  env: [],
  workdir: '/',
  user: '',
  hostname: 'h',
  readOnly: false,
  resources: { ...emptyResources(), memory: 1 << 20, pidsLimit: 10 },
  volumes: [],
  networkMode: 'none',
  networks: [],
  ports: [],
  restart: { name: 'no', maxRetries: 0 },
  autoRemove: false,
  stopSignal: 'SIGTERM',
  stopTimeout: 10,
  ...over,
});

test('only the named limits change; pids -1 lifts the limit', () => {
  const s = updatedSpec(spec(), { cpus: 1.5, pidsLimit: -1 }, 'c');
  assert.equal(s.resources.memory, 1 << 20);
  assert.equal(s.resources.cpus, 1.5);
  assert.equal(s.resources.pidsLimit, undefined);
  assert.deepEqual(liveResources({ cpus: 1.5, pidsLimit: -1 }), { cpu: { quota: 150_000, period: 100_000 }, pids: { limit: -1 } });
  assert.deepEqual(liveResources({ cpusetCpus: '0' }), { cpu: { cpus: '0' } });
  assert.deepEqual(liveResources({ restart: { name: 'always', maxRetries: 0 } }), {}, "a restart policy is the record's alone");
});

test('a --rm container takes no restart policy, as Docker refuses', () => {
  assert.throws(() => updatedSpec(spec({ autoRemove: true }), { restart: { name: 'always', maxRetries: 0 } }, 'c'),
    (e) => isBerthError(e) && /--rm/.test(e.message));
});
