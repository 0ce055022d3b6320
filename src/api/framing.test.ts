import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frame, parseFrames } from './framing.js';

test('a frame is the stream, three zeros, the big-endian length, then the payload', () => {
  const f = frame(2, 'héllo\n');
  assert.deepEqual([...f.subarray(0, 8)], [2, 0, 0, 0, 0, 0, 0, 7]);
  assert.equal(f.subarray(8).toString('utf8'), 'héllo\n');
});

test('frames split across reads are parsed once complete', () => {
  const all = Buffer.concat([frame(1, 'a'), frame(2, 'bc'), frame(1, Buffer.alloc(300, 120))]);
  const part = parseFrames(all.subarray(0, 15));
  assert.deepEqual(part.frames.map((x) => [x.stream, x.payload.toString()]), [[1, 'a']]);
  const restAll = parseFrames(Buffer.concat([part.rest, all.subarray(15)]));
  assert.deepEqual(restAll.frames.map((x) => [x.stream, x.payload.length]), [[2, 2], [1, 300]]);
  assert.equal(restAll.rest.length, 0);
});
