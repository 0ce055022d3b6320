// dockerode, an SDK no one here wrote, against a real `berth serve`: create, start, wait, logs,
// attach and remove, and the same containers seen through `berth ps`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createRequire } from 'node:module';
import { Berth } from './helpers.js';
import { ApiServer } from './api-helpers.js';

// dockerode ships CommonJS without types; what the tests use of it is typed here.
interface DContainer {
  id: string;
  start(): Promise<unknown>;
  wait(o?: { condition?: string }): Promise<{ StatusCode: number }>;
  logs(o: Record<string, unknown>): Promise<Buffer>;
  attach(o: Record<string, unknown>): Promise<NodeJS.ReadableStream>;
  inspect(): Promise<Record<string, any>>;
  stop(o?: { t?: number }): Promise<unknown>;
  remove(o?: { force?: boolean }): Promise<unknown>;
}
interface Docker {
  createContainer(o: Record<string, unknown>): Promise<DContainer>;
  listContainers(o?: Record<string, unknown>): Promise<Record<string, any>[]>;
  listImages(): Promise<Record<string, any>[]>;
  getContainer(id: string): DContainer;
  ping(): Promise<Buffer | string>;
  modem: { demuxStream(s: NodeJS.ReadableStream, out: NodeJS.WritableStream, err: NodeJS.WritableStream): void };
}
const DockerCtor = createRequire(import.meta.url)('dockerode') as new(o: { socketPath: string }) => Docker;

let b: Berth;
let api: ApiServer;
let docker: Docker;
before(async () => {
  b = new Berth();
  b.importBusybox();
  api = new ApiServer(b);
  await api.start();
  docker = new DockerCtor({ socketPath: api.socket });
});
after(async () => {
  await api.stop();
  b.destroy();
});

/** Docker's multiplexed frames → the two streams' text. */
function demux(buf: Buffer): { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  for (let off = 0; off + 8 <= buf.length;) {
    const len = buf.readUInt32BE(off + 4);
    const text = buf.subarray(off + 8, off + 8 + len).toString();
    if (buf[off] === 1) stdout += text;
    else stderr += text;
    off += 8 + len;
  }
  return { stdout, stderr };
}

test('ping, list images', async () => {
  assert.equal(String(await docker.ping()), 'OK');
  const imgs = await docker.listImages();
  assert.ok(imgs.some((i) => (i.RepoTags as string[]).some((t) => t.endsWith('busybox:latest'))));
  assert.equal(typeof imgs[0]!.Created, 'number');
});

test('create, start, wait, logs, remove; berth ps shows it meanwhile', async () => {
  const c = await docker.createContainer({
    Image: 'busybox',
    name: 'sdk',
    Cmd: ['sh', '-c', 'echo to-out; echo to-err >&2; sleep 0.3; exit 4'],
    Labels: { made: 'dockerode' },
    HostConfig: { NetworkMode: 'none', Memory: 32 * 1024 * 1024 },
  });
  assert.match(c.id, /^[0-9a-f]{64}$/);
  assert.match(b.ok(['ps', '-a']), /sdk/);
  const before = await c.inspect();
  assert.equal(before.State.Status, 'created');
  assert.deepEqual(before.Config.Labels, { made: 'dockerode' });
  const waited = c.wait({ condition: 'next-exit' });
  await c.start();
  const listed = await docker.listContainers({ filters: { label: ['made=dockerode'] } });
  assert.equal(listed.length, 1);
  assert.equal(listed[0]!.Names[0], '/sdk');
  assert.equal((await waited).StatusCode, 4);
  const logs = demux(await c.logs({ stdout: true, stderr: true }));
  assert.deepEqual(logs, { stdout: 'to-out\n', stderr: 'to-err\n' });
  assert.deepEqual(demux(await c.logs({ stdout: true, stderr: false })), { stdout: 'to-out\n', stderr: '' });
  assert.equal(b.inspect('sdk').State.ExitCode, 4);
  await c.remove();
  assert.equal(b.ok(['ps', '-aq']), '');
  await assert.rejects(docker.getContainer('sdk').inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
});

test('a hijacked attach made before start gets the whole run, and AutoRemove waits for it', async () => {
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'for i in a b c; do echo $i; done; echo e >&2'],
    HostConfig: { AutoRemove: true, NetworkMode: 'none' } });
  const stream = await c.attach({ stream: true, stdout: true, stderr: true, hijack: true });
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  err.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  docker.modem.demuxStream(stream, out, err);
  const ended = new Promise<void>((r) => {
    stream.on('end', () => r());
    stream.on('close', () => r());
  });
  const removed = c.wait({ condition: 'removed' });
  await c.start();
  await ended;
  assert.equal(stdout, 'a\nb\nc\n');
  assert.equal(stderr, 'e\n');
  assert.equal((await removed).StatusCode, 0);
  assert.equal(b.ok(['ps', '-aq']), '');
});

test('stop a running container and remove it with force', async () => {
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '1000'], HostConfig: { NetworkMode: 'none' } });
  await c.start();
  assert.equal((await c.inspect()).State.Running, true);
  await assert.rejects(c.remove(), (e: { statusCode?: number }) => e.statusCode === 409);
  await c.stop({ t: 1 });
  assert.equal((await c.inspect()).State.Status, 'exited');
  await c.remove({ force: true });
  assert.equal(b.ok(['ps', '-aq']), '');
});
