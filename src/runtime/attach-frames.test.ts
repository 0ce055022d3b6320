import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAttachMessage, resizeLine } from './attach-frames.js';

test("conmon's messages: the first byte names the pipe", () => {
  assert.deepEqual(parseAttachMessage(Buffer.from('\x02hello')), { stream: 'stdout', data: Buffer.from('hello') });
  assert.deepEqual(parseAttachMessage(Buffer.from('\x03oops\n')), { stream: 'stderr', data: Buffer.from('oops\n') });
  // stdin (1) never comes from conmon, nor anything else.
  assert.equal(parseAttachMessage(Buffer.from('\x01x')), null);
  assert.equal(parseAttachMessage(Buffer.from('\x09x')), null);
  assert.equal(parseAttachMessage(Buffer.alloc(0)), null);
  const big = Buffer.concat([Buffer.from([2]), Buffer.alloc(8192, 0x61)]);
  assert.equal(parseAttachMessage(big)!.data.length, 8192);
});

test('the ctl fifo line of a resize is "1 height width"', () => {
  assert.equal(resizeLine(24, 80), '1 24 80\n');
  assert.equal(resizeLine(33.7, -1), '1 33 0\n');
});
