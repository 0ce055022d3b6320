import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePs } from './ps.js';

test("ps rows split into the titles' columns, the last taking the rest of the line", () => {
  const t = parsePs('UID   PID  PPID C STIME TTY TIME     CMD\nroot  42   1    0 11:26 ?   00:00:00 sleep 1000 --x\n\n');
  assert.deepEqual(t.titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
  assert.deepEqual(t.processes, [['root', '42', '1', '0', '11:26', '?', '00:00:00', 'sleep 1000 --x']]);
});
