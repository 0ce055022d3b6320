import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mountPoints } from './mount.js';

it('mountPoints reads field 5 and undoes octal escapes', () => {
  const text = [
    '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
    '98 22 0:50 / /var/lib/berth/containers/a\\040b/merged rw - overlay overlay rw,lowerdir=/x',
    '',
  ].join('\n');
  assert.deepEqual(mountPoints(text), ['/', '/var/lib/berth/containers/a b/merged']);
});
