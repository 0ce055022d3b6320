import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { plainProgress, ttyProgress } from './transfer-progress.js';

describe('transfer progress', () => {
  it('plain lines: one when a blob starts, one when it ends', () => {
    const lines: string[] = [];
    const p = plainProgress('Copying', (s) => {
      lines.push(s);
      return true;
    });
    p.start(`sha256:${'a'.repeat(64)}`, 2048);
    p.advance(`sha256:${'a'.repeat(64)}`, 1024);
    p.done(`sha256:${'a'.repeat(64)}`, 'done');
    p.done(`sha256:${'a'.repeat(64)}`, 'exists');
    assert.deepEqual(lines, ['Copying blob aaaaaaaaaaaa (2.05kB)\n', 'Copying blob aaaaaaaaaaaa done\n',
      'Copying blob aaaaaaaaaaaa skipped: already exists\n']);
  });

  it('on a terminal, one bar per blob, redrawn in place', async () => {
    let out = '';
    const stream = { columns: 100, write: (s: string) => {
      out += s;
      return true;
    } } as unknown as NodeJS.WriteStream;
    const p = ttyProgress('Pushing', stream);
    p.start(`sha256:${'b'.repeat(64)}`, 1000);
    p.start(`sha256:${'c'.repeat(64)}`, 1000);
    p.advance(`sha256:${'b'.repeat(64)}`, 500);
    p.finish();
    assert.match(out, /Pushing blob bbbbbbbbbbbb \[=+>\s*\] 500B \/ 1.00kB/);
    assert.match(out, /Pushing blob cccccccccccc \[>\s*\] 0B \/ 1.00kB/);
    out = '';
    p.done(`sha256:${'b'.repeat(64)}`, 'done');
    p.finish();
    assert.ok(out.startsWith('\x1b[2A'), 'the two lines are redrawn where they were');
    assert.match(out, /Pushing blob bbbbbbbbbbbb done/);
  });
});
