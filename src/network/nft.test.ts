import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseScript, networkAddScript, portsScript } from './nft.js';

test('base script creates its marker (so a second berth fails atomically) and touches only table inet berth', () => {
  const s = baseScript();
  assert.match(s, /^create chain inet berth base-v\d+$/m);
  for (const line of s.split('\n').filter(Boolean)) assert.match(line, /^(add|create|flush) (table|chain|set|rule) inet berth\b/, line);
  // Isolation drop comes after the accepts it must not shadow.
  const idx = (re: RegExp) => s.split('\n').findIndex((l) => re.test(l));
  assert.ok(idx(/@samebr accept/) < idx(/@bridges oifname @bridges drop/));
  assert.ok(idx(/ct status dnat accept/) < idx(/@bridges oifname @bridges drop/));
});

test('network elements: masquerade for routed networks, internal set otherwise', () => {
  assert.match(networkAddScript({ bridge: 'berth-1', subnet: '10.89.0.0/24', internal: false }), /add element inet berth masq \{ 10\.89\.0\.0\/24 \}/);
  const internal = networkAddScript({ bridge: 'berth-1', subnet: '10.89.0.0/24', internal: true });
  assert.match(internal, /internal \{ "berth-1" \}/);
  assert.doesNotMatch(internal, /masq/);
});

test('port chain: stale jumps deleted, chain flushed, DNAT per port, one jump', () => {
  const s = portsScript('ctr-abc', [
    { hostIp: '', hostPort: 8080, proto: 'tcp', containerIp: '10.89.0.2', containerPort: 80 },
    { hostIp: '127.0.0.1', hostPort: 5353, proto: 'udp', containerIp: '10.89.0.2', containerPort: 53 },
  ], [7], true);
  assert.equal(s, [
    'delete rule inet berth ports handle 7',
    'add chain inet berth ctr-abc',
    'flush chain inet berth ctr-abc',
    'add rule inet berth ctr-abc meta l4proto tcp th dport 8080 dnat ip to 10.89.0.2:80',
    'add rule inet berth ctr-abc ip daddr 127.0.0.1 meta l4proto udp th dport 5353 dnat ip to 10.89.0.2:53',
    'add rule inet berth ports jump ctr-abc',
    '',
  ].join('\n'));
});
