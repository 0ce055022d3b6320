import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuntimeLineFilter } from './exec.js';

function run(chunks: string[], keep: boolean): string {
  let out = '';
  const f = new RuntimeLineFilter((t) => {
    out += t;
  });
  for (const c of chunks) f.push(c);
  f.end(keep);
  return out;
}

test("runc's own failure line is dropped when the exec failed", () => {
  assert.equal(run(['exec failed: unable to start container process: exec: "x": executable file not found in $PATH\n'], false), '');
  assert.equal(run(['exec fa', 'iled: unable to start\n'], false), '', 'split across chunks');
});

test("the process's stderr passes at once, and lines that only look like the runtime's are kept when it ran", () => {
  assert.equal(run(['err\n', 'partial'], true), 'err\npartial');
  assert.equal(run(['exec failed: my own words\n'], true), 'exec failed: my own words\n');
  let seen = '';
  const f = new RuntimeLineFilter((t) => {
    seen += t;
  });
  f.push('progress 10%');
  assert.equal(seen, 'progress 10%', "a partial line that cannot be the runtime's is not held");
  f.push(' exec failed: no\n');
  assert.equal(seen, 'progress 10% exec failed: no\n', "the rest of a begun line is the process's");
});
