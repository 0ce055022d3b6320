import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTimeArg } from './timearg.js';
import { isBerthError } from '../common/errors.js';

test('since/until take RFC 3339, Unix seconds and durations back from now', () => {
  const now = Date.parse('2026-01-02T03:04:05Z');
  assert.equal(parseTimeArg('2026-01-01T00:00:00Z', '--since', now).toISOString(), '2026-01-01T00:00:00.000Z');
  assert.equal(parseTimeArg('1700000000.5', '--since', now).getTime(), 1_700_000_000_500);
  assert.equal(parseTimeArg('10m', '--since', now).getTime(), now - 600_000);
  assert.equal(parseTimeArg('1h30m', '--until', now).getTime(), now - 5_400_000);
});

test('anything else is one clear error', () => {
  for (const bad of ['yesterday', '2026-13-45T99:00:00Z', '', '10x']) {
    assert.throws(() => parseTimeArg(bad, '--since'), (e) => isBerthError(e) && /invalid --since/.test(e.message));
  }
});
