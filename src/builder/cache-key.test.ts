// The build cache key of a COPY step must not move when the copy or the packing changes: a
// build after an upgrade finds what the build before it made. The value below is the key that
// berth at 101720b (before the speed work of issue 18's build rows) gives this context and step.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chain } from './cache.js';
import { hashSources } from './copy.js';
import { stageStart } from './instructions.js';

test('the key of `COPY files /files` on a given context is the one earlier berths gave it', async () => {
  const ctx = mkdtempSync(join(tmpdir(), 'cache-key-'));
  try {
    // Modes set outright: the key covers them, and the umask must not.
    const modes: Record<string, number> = { 'd1/f2': 0o755, 'd2/f3': 0o600, 'd3/f4': 0o4755 };
    for (let d = 1; d <= 3; d++) {
      mkdirSync(join(ctx, 'files', `d${d}`), { recursive: true });
      chmodSync(join(ctx, 'files', `d${d}`), 0o755);
      for (let f = 1; f <= 4; f++) {
        const p = join(ctx, 'files', `d${d}`, `f${f}`);
        writeFileSync(p, `file ${d}/${f} ${'x'.repeat(f * 37)}\n`);
        chmodSync(p, modes[`d${d}/f${f}`] ?? 0o644);
      }
    }
    chmodSync(join(ctx, 'files'), 0o750);
    symlinkSync('d1/f1', join(ctx, 'files', 'link'));
    const digest = await hashSources(ctx, ['files'], (r) => r === 'files/d3/f1');
    const st = stageStart({ id: 'sha256:' + 'ab'.repeat(32), config: { Env: ['PATH=/bin'] } });
    const key = chain(st.key, 'COPY files /files', 'context', digest, '/files', 'null', '', JSON.stringify(st.config));
    assert.equal(digest, DIGEST);
    assert.equal(key, KEY);
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
});

const DIGEST = 'e2ef2f0238ae6a50dfa44026dacbef081fbb9696e8e042de2391e87c80022e4c';
const KEY = '54603ceeb5bd945b403eef90ea864083db3305e566f0a008a633cc1cb9c735d9';
