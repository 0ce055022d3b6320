import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSize, parseCpus, parseCpuset, parseDeviceRate, parseDuration, humanDuration } from './units.js';
import { BerthError } from './errors.js';

test('parseSize follows docker -m units', () => {
  assert.equal(parseSize('64m'), 64 * 1024 * 1024);
  assert.equal(parseSize('1g'), 1024 ** 3);
  assert.equal(parseSize('512kb'), 512 * 1024);
  assert.equal(parseSize('100'), 100);
  assert.equal(parseSize('1.5k'), 1536);
  assert.throws(() => parseSize('64x'), (e: unknown) => e instanceof BerthError && e.code === 'size.bad' && /64x/.test(e.message));
  assert.throws(() => parseSize('0'), BerthError);
  assert.throws(() => parseSize('-1m'), BerthError);
});

test('parseCpus refuses more than the host has', () => {
  assert.equal(parseCpus('0.5', 2), 0.5);
  assert.throws(() => parseCpus('3', 2), (e: unknown) => e instanceof BerthError && e.code === 'cpus.too_many');
  assert.throws(() => parseCpus('abc', 2), BerthError);
  assert.throws(() => parseCpus('0', 2), BerthError);
});

test('parseCpuset checks cpu numbers', () => {
  assert.equal(parseCpuset('0-1', 2), '0-1');
  assert.throws(() => parseCpuset('0-2', 2), BerthError);
  assert.throws(() => parseCpuset('a', 2), BerthError);
});

test('parseDeviceRate', () => {
  assert.deepEqual(parseDeviceRate('/dev/vda:1mb', '--device-read-bps', false), { path: '/dev/vda', rate: 1024 * 1024 });
  assert.deepEqual(parseDeviceRate('/dev/vda:100', '--device-write-iops', true), { path: '/dev/vda', rate: 100 });
  assert.throws(() => parseDeviceRate('vda:1mb', '--device-read-bps', false), BerthError);
  assert.throws(() => parseDeviceRate('/dev/vda', '--device-read-bps', false), BerthError);
  assert.throws(() => parseDeviceRate('/dev/vda:1.5', '--device-read-iops', true), BerthError);
});

test('durations', () => {
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('10'), 10_000);
  assert.throws(() => parseDuration('10x'), BerthError);
  assert.equal(humanDuration(3 * 60_000), '3 minutes');
  assert.equal(humanDuration(5_000), '5 seconds');
  assert.equal(humanDuration(1_000), '1 second');
});
