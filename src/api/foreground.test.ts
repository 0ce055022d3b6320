import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../common/errors.js';
import type { Container, Engine } from '../engine/index.js';
import { Foreground } from './foreground.js';

/** Just what Foreground asks of the engine, recorded. */
function fakeEngine(o: { autoRemove: boolean; startFails?: boolean }) {
  const calls: string[] = [];
  let exit: (c: Container) => void = () => {};
  const ctr = { id: 'c1', status: 'running', exitCode: 3, spec: { autoRemove: o.autoRemove } } as unknown as Container;
  const engine = {
    containers: {
      start: async (_id: string, opts: { attached?: boolean }) => {
        calls.push(`start attached=${opts.attached}`);
        if (o.startFails) throw new BerthError('InvalidArgument', 'exec.not_found', '/nope: command not found', { exitCode: 127 });
        return ctr;
      },
      wait: () =>
        new Promise<Container>((r) => {
          exit = r;
        }),
      get: async () => ({ ...ctr, status: 'created' }),
      remove: async () => {
        calls.push('remove');
        return 'c1';
      },
      removeIfExited: async () => {
        calls.push('removeIfExited');
      },
    },
  } as unknown as Engine;
  return { engine, calls, exited: () => exit({ ...ctr, status: 'exited' }) };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

test('a container nobody holds is started for conmon to watch', async () => {
  const f = fakeEngine({ autoRemove: true });
  await new Foreground().start(f.engine, 'c1');
  assert.deepEqual(f.calls, ['start attached=false']);
});

test('a held AutoRemove container: started attached, its code kept, removed once the attach is done', async () => {
  const f = fakeEngine({ autoRemove: true });
  const fg = new Foreground();
  const releaseAttach = fg.hold('c1', 'attach');
  const releaseWait = fg.hold('c1', 'wait');
  await fg.start(f.engine, 'c1');
  assert.equal(fg.startCount('c1'), 1);
  f.exited();
  await tick();
  assert.equal(fg.exitOf('c1'), 3);
  assert.deepEqual(f.calls, ['start attached=true'], 'not removed while a client still reads its log');
  releaseAttach();
  await tick();
  assert.deepEqual(f.calls, ['start attached=true', 'removeIfExited']);
  releaseWait();
});

test('an AutoRemove container that cannot start is removed, with the start error thrown', async () => {
  const f = fakeEngine({ autoRemove: true, startFails: true });
  const fg = new Foreground();
  const release = fg.hold('c1', 'wait');
  await assert.rejects(fg.start(f.engine, 'c1'), /command not found/);
  assert.deepEqual(f.calls, ['start attached=true', 'remove']);
  assert.equal(fg.exitOf('c1'), 127);
  release();
});
