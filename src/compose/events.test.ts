import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent } from '../engine/index.js';
import { composeEvent, eventJsonLine, eventText, goTime } from './events.js';

function ev(over: Partial<EngineEvent> = {}, attrs: Record<string, string> = {}): EngineEvent {
  return {
    Type: 'container',
    Action: 'start',
    Actor: { ID: 'f00d',
      Attributes: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web', name: 'shop-web-1', image: 'busybox', ...attrs } },
    scope: 'local',
    time: 1_764_770_400,
    timeNano: 1_764_770_400_123_456_789n,
    ...over,
  };
}

test('a service container event keeps its own attributes, sorted, without compose labels', () => {
  const e = composeEvent(ev({}, { team: 'blue', 'com.docker.compose.container-number': '1' }), []);
  assert.deepEqual(e, {
    timeNano: 1_764_770_400_123_456_789n,
    service: 'web',
    container: 'f00d',
    action: 'start',
    attributes: { image: 'busybox', name: 'shop-web-1', team: 'blue' },
  });
});

test('one-offs, other types, containers without a service and services not asked for are skipped', () => {
  assert.equal(composeEvent(ev({}, { 'com.docker.compose.oneoff': 'True' }), []), undefined);
  assert.equal(composeEvent(ev({ Type: 'network' }), []), undefined);
  assert.equal(composeEvent(ev({}, { 'com.docker.compose.service': '' }), []), undefined);
  assert.equal(composeEvent(ev(), ['db']), undefined);
  assert.ok(composeEvent(ev({}, { 'com.docker.compose.oneoff': 'False' }), ['db', 'web']));
});

test("text and JSON lines as Compose prints them (Go's layouts), in the local zone", () => {
  const saved = process.env.TZ;
  process.env.TZ = 'UTC';
  try {
    const e = composeEvent(ev({}, { exitCode: '0' }), [])!;
    assert.equal(eventText(e), '2025-12-03 14:00:00.123456 container start f00d (exitCode=0, image=busybox, name=shop-web-1)');
    assert.equal(
      eventJsonLine(e),
      '{"action":"start","attributes":{"exitCode":"0","image":"busybox","name":"shop-web-1"},"id":"f00d","service":"web","time":"2025-12-03T14:00:00.123456789Z","type":"container"}',
    );
    assert.equal(goTime(1_764_770_400_000_000_000n), '2025-12-03T14:00:00Z');
    assert.equal(goTime(1_764_770_400_120_000_000n), '2025-12-03T14:00:00.12Z');
    process.env.TZ = 'Asia/Kolkata';
    assert.equal(goTime(1_764_770_400_500_000_000n), '2025-12-03T19:30:00.5+05:30');
    process.env.TZ = 'America/New_York';
    assert.equal(goTime(1_764_770_400_000_000_000n), '2025-12-03T09:00:00-05:00');
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});
