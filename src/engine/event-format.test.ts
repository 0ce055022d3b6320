import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventJson, eventLine, matchesEvent, nanoTime, parseEventFilters, type EngineEvent } from './event-format.js';
import { isBerthError } from '../common/errors.js';

const NS = 1_796_304_450_666_140_544n;
const ID = 'bfcb23aa3c51ee6d13789d37b1d9f197789f921cbd701b7351ba1a4335c52b3b';
const ctr = (action: string, attrs: Record<string, string> = {}): EngineEvent => ({
  Type: 'container',
  Action: action,
  Actor: { ID, Attributes: { image: 'localhost/busybox:latest', name: 'evweb', ...attrs } },
  scope: 'local',
  time: Number(NS / 1_000_000_000n),
  timeNano: NS,
});
const net: EngineEvent = { ...ctr('connect'), Type: 'network', Actor: { ID: 'n1d', Attributes: { name: 'backend', type: 'bridge', container: ID } } };

test("the text line is docker events': nanosecond UTC time, type, action, id, sorted attributes", () => {
  assert.equal(nanoTime(NS), '2026-12-03T13:27:30.666140544Z');
  assert.equal(nanoTime(1_000_000_000_000_000_007n), '2001-09-09T01:46:40.000000007Z');
  assert.equal(eventLine(ctr('die', { exitCode: '3' })),
    `2026-12-03T13:27:30.666140544Z container die ${ID} (exitCode=3, image=localhost/busybox:latest, name=evweb)`);
  assert.equal(eventLine({ ...net, Actor: { ID: 'v', Attributes: {} }, Type: 'volume' }), '2026-12-03T13:27:30.666140544Z volume connect v');
});

test('the JSON message has the new and the old fields, and timeNano exact', () => {
  const j = eventJson(ctr('start'));
  assert.match(j, /"timeNano":1796304450666140544\}$/);
  const doc = JSON.parse(j) as Record<string, unknown>;
  assert.deepEqual(Object.keys(doc), ['status', 'id', 'from', 'Type', 'Action', 'Actor', 'scope', 'time', 'timeNano']);
  assert.equal(doc['status'], 'start');
  assert.equal(doc['id'], ID);
  assert.equal(doc['from'], 'localhost/busybox:latest');
  assert.equal(doc['time'], 1796304450);
  // Docker has no old fields for networks and volumes.
  assert.deepEqual(Object.keys(JSON.parse(eventJson(net)) as object), ['Type', 'Action', 'Actor', 'scope', 'time', 'timeNano']);
});

test("filters: one key's values are alternatives, keys all apply, labels all apply", () => {
  const m = (specs: string[], ev: EngineEvent) => matchesEvent(parseEventFilters(specs), ev);
  assert.equal(m([], ctr('start')), true);
  assert.equal(m(['event=start', 'event=die'], ctr('die')), true);
  assert.equal(m(['event=start'], ctr('die')), false);
  assert.equal(m(['event=die', 'type=network'], ctr('die')), false);
  assert.equal(m(['container=evweb'], ctr('die')), true);
  assert.equal(m(['container=bfcb23'], ctr('die')), true, 'an id prefix');
  assert.equal(m(['container=other'], ctr('die')), false);
  assert.equal(m(['container=evweb'], net), false);
  assert.equal(m(['network=backend'], net), true);
  assert.equal(m(['network=front'], net), false);
  assert.equal(m(['image=localhost/busybox'], ctr('die')), true, 'the image without its tag');
  assert.equal(m(['image=localhost/busybox:latest'], ctr('die')), true);
  assert.equal(m(['image=busybox:1'], ctr('die')), false);
  assert.equal(m(['label=tier'], ctr('die', { tier: 'web' })), true);
  assert.equal(m(['label=tier=web', 'label=team=a'], ctr('die', { tier: 'web' })), false);
  assert.equal(m(['label=tier=web'], ctr('die', { tier: 'web' })), true);
  assert.equal(m(['event=exec_start'], ctr('exec_start: sh -c true')), true, 'exec_start matches its command too, as Docker');
  assert.equal(m(['volume=data'], { ...net, Type: 'volume', Actor: { ID: 'data', Attributes: { driver: 'local' } } }), true);
});

test('a filter berth does not know, or a bad one, is a clear error', () => {
  for (const bad of ['colour=red', 'event', '=x', 'type=bogus']) {
    assert.throws(() => parseEventFilters([bad]), (e) => isBerthError(e) && e.exitCode === 125 && /filter/.test(e.message), bad);
  }
});
