import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const mod = fileURLToPath(new URL('./lock.js', import.meta.url));

// Each child takes the lock, claims a marker file that only one holder may have, and gives both
// back; "overlap" means two processes held the lock at once.
const child = (runroot: string) => `
  import { openSync, closeSync, unlinkSync } from 'node:fs';
  const { lockContainer } = await import(${JSON.stringify(mod)});
  const l = lockContainer(${JSON.stringify(runroot)}, 'c1');
  try { closeSync(openSync(${JSON.stringify(join(runroot, 'held'))}, 'wx')); } catch { console.log('overlap'); }
  await new Promise((r) => setTimeout(r, 15));
  unlinkSync(${JSON.stringify(join(runroot, 'held'))});
  l.release();
`;

test('a dead owner\'s lock is taken over by exactly one of the berths that find it', async () => {
  const runroot = mkdtempSync(join(tmpdir(), 'berth-lock-'));
  try {
    for (let round = 0; round < 5; round++) {
      const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim();
      mkdirSync(join(runroot, 'locks'), { recursive: true });
      writeFileSync(join(runroot, 'locks', 'c1.lock'), dead);
      const outs = await Promise.all(Array.from({ length: 8 }, () => new Promise<string>((res) => {
        const p = spawn(process.execPath, ['--input-type=module', '-e', child(runroot)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
        p.on('close', () => res(out));
      })));
      assert.deepEqual(outs.filter((o) => o.includes('overlap')), [], `round ${round}`);
    }
  } finally {
    rmSync(runroot, { recursive: true, force: true });
  }
});
