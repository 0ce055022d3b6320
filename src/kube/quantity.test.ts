import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCpu, formatMemory, parseQuantity } from './quantity.js';
import { portParts, portSpec } from './ports.js';
import { isDataKey, toDnsLabel } from './names.js';

test('quantities: binary, decimal, milli and exponent forms', () => {
  assert.equal(parseQuantity('32Mi', 'x'), 32 * 2 ** 20);
  assert.equal(parseQuantity('1G', 'x'), 1e9);
  assert.equal(parseQuantity('250m', 'x'), 0.25);
  assert.equal(parseQuantity('0.5', 'x'), 0.5);
  assert.equal(parseQuantity(2, 'x'), 2);
  assert.equal(parseQuantity('1e3', 'x'), 1000);
  assert.throws(() => parseQuantity('12 apples', 'limits.memory'), /limits\.memory: invalid quantity "12 apples"/);
  assert.throws(() => parseQuantity('-1', 'x'), /invalid quantity/);
});

test('quantities are written exactly and read back to the same number', () => {
  assert.equal(formatMemory(32 * 2 ** 20), '32Mi');
  assert.equal(formatMemory(3 * 2 ** 30), '3Gi');
  assert.equal(formatMemory(1000), '1000');
  assert.equal(formatCpu(0.25), '250m');
  assert.equal(formatCpu(2), '2');
  for (const b of [64 * 2 ** 20, 1536, 12345]) assert.equal(parseQuantity(formatMemory(b), 'x'), b);
  for (const c of [0.5, 0.25, 1.5]) assert.equal(parseQuantity(formatCpu(c), 'x'), c);
});

test('port specs to containerPort parts and back', () => {
  assert.deepEqual(portParts('8080:80'), { containerPort: 80, hostPort: 8080, protocol: 'TCP' });
  assert.deepEqual(portParts('127.0.0.1:53:53/udp'), { containerPort: 53, hostPort: 53, hostIp: '127.0.0.1', protocol: 'UDP' });
  assert.deepEqual(portParts('80/tcp'), { containerPort: 80, protocol: 'TCP' });
  assert.equal(portSpec(portParts('127.0.0.1:8080:80/tcp')), '127.0.0.1:8080:80/tcp');
});

test('names made to fit Kubernetes', () => {
  assert.equal(toDnsLabel('My_Service.1'), 'my-service-1');
  assert.equal(toDnsLabel('web'), 'web');
  assert.equal(toDnsLabel('__'), 'x');
  assert.ok(isDataKey('nginx.conf'));
  assert.ok(!isDataKey('..'));
  assert.ok(!isDataKey('a/b'));
});
