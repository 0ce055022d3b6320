import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthcheckOf } from './health-spec.js';
import { nextHealth } from './health-run.js';
import type { HealthRow } from '../state/health.js';

const image = { Test: ['CMD-SHELL', 'curl -f localhost'], Interval: 5e9, Timeout: 0, Retries: 5 };

test("the image's HEALTHCHECK, Docker's defaults for what it leaves out", () => {
  assert.deepEqual(healthcheckOf({}, image), {
    healthcheck: { test: ['/bin/sh', '-c', 'curl -f localhost'], intervalMs: 5000, timeoutMs: 30_000, retries: 5, startPeriodMs: 0 },
  });
  assert.deepEqual(healthcheckOf({}, { Test: ['CMD', 'check', '--x'] }).healthcheck?.test, ['check', '--x']);
  assert.deepEqual(healthcheckOf({}, { Test: ['NONE'] }), {});
  assert.deepEqual(healthcheckOf({}, undefined), {});
});

test('flags over the image: a command replaces it, the timings tune it, --no-healthcheck drops it', () => {
  assert.deepEqual(healthcheckOf({ healthcheck: { intervalMs: 1000 } }, image).healthcheck?.intervalMs, 1000);
  assert.deepEqual(healthcheckOf({ healthcheck: { intervalMs: 1000 } }, image).healthcheck?.retries, 5);
  assert.deepEqual(healthcheckOf({ healthcheck: { test: ['true'] } }, image).healthcheck?.test, ['true']);
  assert.deepEqual(healthcheckOf({ healthcheck: { intervalMs: 1000 } }, undefined), {});
  assert.deepEqual(healthcheckOf({ noHealthcheck: true }, image), {});
});

test("nextHealth: Docker's streak, retries and start period", () => {
  const hc = { test: ['x'], intervalMs: 1, timeoutMs: 1, retries: 2, startPeriodMs: 0 };
  const e = (code: number) => ({ Start: 's', End: 'e', ExitCode: code, Output: '' });
  let row: HealthRow = { containerId: 'c', runId: 'r', status: 'starting', failingStreak: 0, log: [], runnerPid: null, runnerStart: null };
  row = nextHealth(row, hc, e(1), true);
  assert.deepEqual([row.status, row.failingStreak, row.log.length], ['starting', 0, 1], 'a failure in the start period does not count');
  row = nextHealth(row, hc, e(1), false);
  assert.deepEqual([row.status, row.failingStreak], ['starting', 1]);
  row = nextHealth(row, hc, e(1), false);
  assert.deepEqual([row.status, row.failingStreak], ['unhealthy', 2]);
  row = nextHealth(row, hc, e(0), false);
  assert.deepEqual([row.status, row.failingStreak], ['healthy', 0]);
  row = nextHealth(row, hc, e(1), true);
  assert.deepEqual([row.status, row.failingStreak], ['healthy', 1], 'once healthy, the start period no longer excuses a failure');
  for (let i = 0; i < 10; i++) row = nextHealth(row, hc, e(0), false);
  assert.equal(row.log.length, 5, 'the last five checks are kept');
});
