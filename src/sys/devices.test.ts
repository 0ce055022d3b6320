import { test } from 'node:test';
import assert from 'node:assert/strict';
import { devMajor, devMinor, hostDevices } from './devices.js';

test('st_rdev decoded as Linux encodes it, large minors included', () => {
  assert.deepEqual([devMajor(0x103), devMinor(0x103)], [1, 3]);
  assert.deepEqual([devMajor(0xfe00), devMinor(0xfe00)], [254, 0]);
  // major 259, minor 300: minor's high bits sit above the major's.
  const rdev = (300 & 0xff) | (259 << 8) | ((300 & ~0xff) << 12);
  assert.deepEqual([devMajor(rdev), devMinor(rdev)], [259, 300]);
});

test("the host's /dev: char and block nodes with their modes; no pts, shm or console", () => {
  const devs = hostDevices();
  const nul = devs.find((d) => d.path === '/dev/null');
  assert.deepEqual(nul && { type: nul.type, major: nul.major, minor: nul.minor, fileMode: nul.fileMode }, { type: 'c', major: 1, minor: 3, fileMode: 0o666 });
  assert.ok(!devs.some((d) => d.path.startsWith('/dev/pts/') || d.path.startsWith('/dev/shm/') || d.path === '/dev/console'));
  assert.deepEqual(hostDevices('/nonexistent'), []);
});
