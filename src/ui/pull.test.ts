import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { progressLines, type PullLine } from './pull.js';

const D = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

test("a layer's bytes are sent at most once a period, its changes of state at once", () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const sent: PullLine[] = [];
    const p = progressLines((l) => sent.push(l), 200);
    p.start(D, 1000);
    assert.deepEqual(sent, [{ layer: '0123456789ab', got: 0, total: 1000, state: 'Waiting' }]);
    for (let i = 0; i < 5; i++) p.advance(D, 100);
    assert.equal(sent.length, 1, 'nothing before the period ends');
    mock.timers.tick(200);
    assert.deepEqual(sent[1], { layer: '0123456789ab', got: 500, total: 1000, state: 'Downloading' });
    p.advance(D, 500);
    p.done(D, 'done');
    assert.deepEqual(sent[2], { layer: '0123456789ab', got: 1000, total: 1000, state: 'Download complete' });
    mock.timers.tick(200);
    assert.equal(sent.length, 3, 'a finished layer sends no stale byte count after its completion');
    p.close();
  } finally {
    mock.timers.reset();
  }
});

test('a layer the store has is "Already exists"; messages pass through', () => {
  const sent: PullLine[] = [];
  const p = progressLines((l) => sent.push(l));
  p.message('Trying to pull x...');
  p.start(D, 10);
  p.done(D, 'exists');
  p.close();
  assert.deepEqual(sent.map((l) => ('state' in l ? l.state : 'message' in l ? l.message : '')), ['Trying to pull x...', 'Waiting', 'Already exists']);
});
