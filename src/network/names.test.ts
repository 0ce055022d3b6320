import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bridgeMac, bridgeName, hostVethName, hostVethPrefix, netnsName, portChainName, randomMac } from './names.js';

const id = 'abcdef0123456789'.repeat(4);

test('kernel names contain "berth", fit IFNAMSIZ and derive from the id alone', () => {
  for (const n of [bridgeName(id, false), bridgeName(id, true), hostVethName(id, 0), hostVethName(id, 35), netnsName(id)]) {
    assert.match(n, /berth/);
    assert.ok(n.length <= 15 || n === netnsName(id), n);
  }
  assert.equal(bridgeName(id, false), 'berth-abcdef01');
  assert.equal(hostVethName(id, 11), 'berthabcdef012b');
  assert.ok(hostVethName(id, 3).startsWith(hostVethPrefix(id)));
  assert.equal(netnsName(id), 'berth-abcdef012345');
  assert.equal(portChainName(id), 'ctr-abcdef012345');
  assert.throws(() => hostVethName(id, 36));
});

test('MACs are locally administered unicast; a bridge MAC is stable per network', () => {
  for (const mac of [randomMac(), bridgeMac(id)]) {
    assert.match(mac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    const first = parseInt(mac.slice(0, 2), 16);
    assert.equal(first & 0x03, 0x02);
  }
  assert.equal(bridgeMac(id), bridgeMac(id));
  assert.notEqual(bridgeMac(id), bridgeMac(id.replace('a', 'b')));
});

test('a bridge owner mark names one root, however its path is written', async () => {
  const { bridgeOwnerMark } = await import('./names.js');
  assert.match(bridgeOwnerMark('/var/lib/berth'), /^berth-root=[0-9a-f]{16}$/);
  assert.equal(bridgeOwnerMark('/var/lib/berth/'), bridgeOwnerMark('/var/lib/berth'));
  assert.notEqual(bridgeOwnerMark('/tmp/a'), bridgeOwnerMark('/tmp/b'));
});
