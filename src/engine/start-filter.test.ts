import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBerthError } from '../common/errors.js';
import { matchesStartFilter, parseStartFilters } from './start-filter.js';
import { wantsBoot } from './boot.js';
import type { RestartPolicy } from './types.js';

const ctr = (restart: RestartPolicy['name'], labels: Record<string, string> = {}) =>
  ({ spec: { restart: { name: restart, maxRetries: 0 } }, labels }) as Parameters<typeof matchesStartFilter>[0];

test('start filters: restart-policy values are ORed, labels ANDed', () => {
  const f = parseStartFilters(['restart-policy=always', 'restart-policy=unless-stopped', 'label=tier=web']);
  assert.deepEqual(f, { restartPolicies: ['always', 'unless-stopped'], labels: ['tier=web'] });
  assert.equal(matchesStartFilter(ctr('always', { tier: 'web' }), f), true);
  assert.equal(matchesStartFilter(ctr('unless-stopped', { tier: 'web' }), f), true);
  assert.equal(matchesStartFilter(ctr('no', { tier: 'web' }), f), false);
  assert.equal(matchesStartFilter(ctr('always', { tier: 'db' }), f), false);
  assert.equal(matchesStartFilter(ctr('always'), parseStartFilters(['label=tier'])), false);
  assert.equal(matchesStartFilter(ctr('no'), parseStartFilters([])), true);
});

test("start filters: an unknown key or policy is the user's error", () => {
  for (const bad of ['restart-policy=sometimes', 'status=running', 'label=']) {
    assert.throws(() => parseStartFilters([bad]), (e) => isBerthError(e) && e.exitCode === 125, bad);
  }
});

test('boot brings back always, and unless-stopped unless its user stopped it; once a boot', () => {
  const c = (name: RestartPolicy['name'], over: Partial<Parameters<typeof wantsBoot>[0]> = {}) =>
    ({
      status: 'exited' as const,
      spec: { restart: { name, maxRetries: 0 } },
      stopRequested: false,
      startedAt: '2026-01-01T00:00:00Z',
      bootId: 'old',
      ...over,
    }) as Parameters<typeof wantsBoot>[0];
  assert.equal(wantsBoot(c('always'), 'new'), true);
  assert.equal(wantsBoot(c('always', { stopRequested: true }), 'new'), true, "Docker's always: back at the daemon's start even when stopped");
  assert.equal(wantsBoot(c('unless-stopped'), 'new'), true);
  assert.equal(wantsBoot(c('unless-stopped', { stopRequested: true }), 'new'), false);
  assert.equal(wantsBoot(c('no'), 'new'), false);
  assert.equal(wantsBoot(c('on-failure'), 'new'), false);
  assert.equal(wantsBoot(c('always', { startedAt: null, bootId: null, status: 'created' }), 'new'), false, 'never started');
  assert.equal(wantsBoot(c('always', { bootId: 'new' }), 'new'), false, 'already run in this boot');
  assert.equal(wantsBoot(c('always', { status: 'running' }), 'new'), false);
});
