import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseLogLine, LogFollower, renderRecords } from './logs.js';

test('parses k8s-file lines', () => {
  assert.deepEqual(parseLogLine('2026-11-28T04:00:00.1Z stdout F hello world'), { time: '2026-11-28T04:00:00.1Z', stream: 'stdout', partial: false,
    text: 'hello world' });
  assert.equal(parseLogLine('2026-11-28T04:00:00.1Z stderr P part')?.partial, true);
  assert.equal(parseLogLine('garbage'), null);
});

test('follower returns only complete new lines', () => {
  const d = mkdtempSync(join(tmpdir(), 'berth-logs-'));
  try {
    const f = join(d, 'log');
    const r = new LogFollower(f);
    assert.deepEqual(r.read(), []);
    appendFileSync(f, 't1 stdout F a\nt2 stderr F b\nt3 stdout F c');
    assert.deepEqual(r.read().map((x) => x.text), ['a', 'b']);
    appendFileSync(f, 'd\n');
    assert.deepEqual(r.read().map((x) => x.text), ['cd']);
    assert.deepEqual(renderRecords([{ time: 't', stream: 'stdout', partial: false, text: 'x' }], { timestamps: true }), [{ stream: 'stdout', text: 't x\n' }]);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
