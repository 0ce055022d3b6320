import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthcheckOf } from './health-spec.js';

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
