import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aardvarkConfig, procNetUdpKey } from './dns.js';

test('aardvark config: gateway line, then id, ipv4, empty ipv6, names with aliases deduplicated', () => {
  const text = aardvarkConfig('10.89.0.1', [
    { containerId: 'aaa', ip: '10.89.0.2', names: ['web1', 'web', 'web'] },
    { containerId: 'bbb', ip: '10.89.0.3', names: ['web2', 'web'] },
  ]);
  assert.equal(text, '10.89.0.1\naaa 10.89.0.2  web1,web\nbbb 10.89.0.3  web2,web\n');
});

test('procNetUdpKey matches the kernel format on little-endian hosts', () => {
  assert.equal(procNetUdpKey('10.89.0.1', 53), '0100590A:0035');
});
