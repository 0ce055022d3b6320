// The container lifecycle on a fake host: create, start, stop, kill, rm, the exit callback, the
// restart policies, reconcile and the rollback of each failing step, with a real instances file
// in a temporary root and no privilege at all (test/e2e/unprivileged.test.ts runs this file as
// nobody). What the kernel would hold is the fake's: every assertion below reads it.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { isBerthError } from '../common/errors.js';
import { createImage } from '../image/create.js';
import { FakeHost } from './testing/fake-host.js';
import { createContext, type EngineContext } from './context.js';
import {
  createContainer,
  startContainer,
  stopContainer,
  killContainer,
  removeContainer,
  reconcileAll,
  reconcileOne,
  onContainerExit,
  restartContainer,
  lookup,
  checkExit,
  removeOnExit,
} from './containers.js';
import { runContainer } from './run.js';
import { pauseContainer } from './container-pause.js';
import { attachContainer, runAttached, startAttached } from './container-attach.js';
import { bootSystem, startAll } from './boot.js';
import { emptyResources, type CreateRequest } from './types.js';
import { imageContext } from './parts.js';
import { eventsAfter } from '../state/events.js';
import { getHealth } from '../state/health.js';
import { shortfallError } from './preflight.js';

let dir: string;
let host: FakeHost;
let ctx: EngineContext;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-fake-'));
  host = new FakeHost();
  ctx = createContext({ paths: { root: join(dir, 'root'), runroot: join(dir, 'run') }, self: { path: '/fake/berth', args: [] }, debug: false }, { host });
  await createImage(imageContext(ctx), {
    parent: undefined,
    createdBy: 'test',
    tags: ['localhost/app:latest'],
    config: { Cmd: ['sleep', '1000'], Env: ['PATH=/bin', 'A=image'], WorkingDir: '/srv' },
  });
});

afterEach(() => {
  ctx.db.close();
  rmSync(dir, { recursive: true, force: true });
});

function req(over: Partial<CreateRequest> = {}): CreateRequest {
  return {
    image: 'app',
    env: [],
    readOnly: false,
    resources: emptyResources(),
    volumes: [],
    networkMode: 'none',
    networks: [],
    ports: [],
    publishAll: false,
    restart: { name: 'no', maxRetries: 0 },
    autoRemove: false,
    labels: {},
    ...over,
  };
}

const merged = (id: string) => join(ctx.paths.root, 'containers', id, 'merged');
const runDir = (id: string) => join(ctx.paths.runroot, 'containers', id);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Nothing of the container is held on the host: no mount, cgroup, runtime state, netns or run dir. */
function released(id: string): void {
  assert.ok(!host.mounts.has(merged(id)), 'rootfs unmounted');
  assert.ok(!host.cgroups.has(`/berth/${id}`), 'cgroup removed');
  assert.ok(!host.runtime.has(id), 'runtime container deleted');
  assert.ok(!host.netns.has(id), 'network torn down');
  assert.ok(!existsSync(runDir(id)), 'run directory gone');
}

test('create records the characteristics and touches nothing on the host', () => {
  const c = createContainer(ctx, req({ name: 'web', env: ['B=1'], resources: { ...emptyResources(), memory: 64 << 20 } }));
  assert.equal(c.status, 'created');
  assert.deepEqual(c.spec.args, ['sleep', '1000']);
  assert.deepEqual(c.spec.env, ['PATH=/bin', 'A=image', 'B=1']);
  assert.equal(c.spec.workdir, '/srv');
  assert.equal(lookup(ctx, 'web').spec.resources.memory, 64 << 20);
  assert.deepEqual(host.calls, []);
});

test('create records the streams -a named and attaches nothing; a start starts it detached as any other', async () => {
  const c = createContainer(ctx, req({ name: 'streams', attach: { stdin: false, stdout: true, stderr: false } }));
  assert.deepEqual(lookup(ctx, 'streams').spec.attach, { stdin: false, stdout: true, stderr: false });
  assert.deepEqual(host.calls, []);
  assert.equal(createContainer(ctx, req({ name: 'nostreams' })).spec.attach, undefined);
  await startContainer(ctx, c.id);
  assert.equal(lookup(ctx, 'streams').status, 'running');
});

test('create refuses a name in use and leaves one record', () => {
  createContainer(ctx, req({ name: 'dup' }));
  assert.throws(() => createContainer(ctx, req({ name: 'dup' })), (e) => isBerthError(e) && e.kind === 'AlreadyExists');
  assert.equal(reconcileAll(ctx).length, 1);
});

test('create refuses more CPUs than the host has, with nothing recorded', () => {
  assert.throws(() => createContainer(ctx, req({ resources: { ...emptyResources(), cpus: 4096 } })), (e) => isBerthError(e) && e.kind === 'InvalidArgument');
  assert.equal(reconcileAll(ctx).length, 0);
});

test('a host that cannot run containers refuses create and start before touching anything', async () => {
  const made = createContainer(ctx, req({ name: 'before' }));
  host.cannotRun = shortfallError({ kind: 'privileges', missing: ['CAP_SYS_ADMIN'] });
  assert.throws(() => createContainer(ctx, req({ name: 'refused', networkMode: 'bridge' })),
    (e) => isBerthError(e) && e.code === 'host.not_privileged' && e.exitCode === 125 && /--privileged/.test(e.message));
  await assert.rejects(startContainer(ctx, made.id), (e) => isBerthError(e) && e.code === 'host.not_privileged');
  assert.deepEqual(host.calls, [], 'no network, mount or runtime call was made');
  assert.deepEqual(reconcileAll(ctx).map((c) => `${c.name} ${c.status}`), ['before created']);
  assert.ok(!existsSync(runDir(made.id)), 'no run directory left');
  assert.deepEqual(host.canRunChecks, [ctx.paths.root, ctx.paths.root, ctx.paths.root]);
  host.cannotRun = undefined;
  assert.equal((await startContainer(ctx, made.id)).status, 'running');
});

test('a bridge container plans its endpoints at create and sets its network up at start', async () => {
  const c = createContainer(ctx, req({ networkMode: 'bridge' }));
  assert.deepEqual(host.calls, ['ensureDefaultNetwork', `planEndpoints ${c.id}`, `publishPorts ${c.id}`]);
  await startContainer(ctx, c.id);
  assert.ok(host.netns.has(c.id));
  stopContainer(ctx, c.id, 0);
  assert.ok(!host.netns.has(c.id), 'stop destroys the network');
});

test('rootless: the default network is user-mode (pasta), made at start and ended at stop, with no bridge, endpoints or cgroup path', async () => {
  host.isRootless = true;
  const c = createContainer(ctx, req({ name: 'rl-web', networkMode: 'bridge' }));
  assert.deepEqual(host.calls, [`publishPorts ${c.id}`], 'no bridge is made and no address planned');
  host.calls.length = 0;
  await startContainer(ctx, c.id);
  assert.ok(host.calls.includes(`setUpUserModeNetwork ${c.id}`));
  assert.ok(!host.calls.some((x) => x.startsWith('setUpNetwork')));
  const spec = host.bundles.get(join(ctx.paths.root, 'containers', c.id)) as { linux: { cgroupsPath?: string; namespaces: { type: string; path?: string }[] } };
  assert.equal(spec.linux.cgroupsPath, undefined, "the host cgroups are not the user's");
  assert.equal(spec.linux.namespaces.find((n) => n.type === 'network')?.path, join(ctx.paths.runroot, 'containers', c.id, 'netns'));
  assert.throws(() => pauseContainer(ctx, c.id), (e) => isBerthError(e) && e.code === 'pause.rootless');
  stopContainer(ctx, c.id, 0);
  assert.equal(host.userModeNets.size, 0, 'stop ends pasta');
  removeContainer(ctx, c.id, { force: false });
  assert.ok(!host.calls.some((x) => x.startsWith('tearDownNetwork')));
});

test('rootless: limits and user-defined networks are refused with one line, nothing recorded', () => {
  host.isRootless = true;
  assert.throws(() => createContainer(ctx, req({ resources: { ...emptyResources(), memory: 64 * 1024 * 1024, pidsLimit: 10 } })),
    (e) =>
      isBerthError(e) && e.kind === 'InvalidArgument' &&
      /--memory, --pids-limit: rootless berth cannot set limits: cgroup v2 is not delegated/.test(e.message));
  assert.throws(() => createContainer(ctx, req({ networkMode: 'bridge', networks: [{ network: 'back' }] })),
    (e) => isBerthError(e) && /network back: rootless berth has only the default network/.test(e.message));
  assert.throws(() => createContainer(ctx, req({ networkMode: 'bridge', ports: ['127.0.0.1:80:80'] })),
    (e) => isBerthError(e) && /host port 80: rootless berth can publish host ports from 1024 only/.test(e.message));
  assert.throws(() => createContainer(ctx, req({ userns: { mode: 'auto', uidmap: [], gidmap: [] } })), (e) => isBerthError(e) && e.code === 'userns.rootless');
  assert.equal(reconcileAll(ctx).length, 0);
});

test('start mounts the rootfs, writes the bundle and runs it under conmon with an exit command naming the run', async () => {
  const c0 = createContainer(ctx, req({ name: 's' }));
  const c = await startContainer(ctx, 's');
  assert.equal(c.status, 'running');
  assert.ok(host.alive(c.pid));
  assert.equal(c.pidStart, host.procs.get(c.pid!)!.start);
  assert.equal(c.bootId, 'boot-1');
  assert.ok(host.mounts.has(merged(c0.id)));
  const spec = host.bundles.get(join(ctx.paths.root, 'containers', c0.id)) as { process: { args: string[]; cwd: string } };
  assert.deepEqual(spec.process.args, ['sleep', '1000']);
  assert.equal(spec.process.cwd, '/srv');
  assert.equal(host.runtime.get(c0.id)!.exitRunId, c.runId, "conmon calls back with this run's id");
  assert.ok(host.runtime.get(c0.id)!.started);
});

test('start of a running container does not start it twice', async () => {
  const c = await runContainer(ctx, req(), {});
  await startContainer(ctx, c.id);
  assert.equal(host.calls.filter((x) => x.startsWith('createContainer')).length, 1);
});

for (const step of ['mount', 'writeBundle', 'createContainer', 'startContainer'] as const) {
  test(`a failed start (${step}) is rolled back: nothing held, the record still created`, async () => {
    const c = createContainer(ctx, req());
    host.failAt = step;
    await assert.rejects(startContainer(ctx, c.id), /fake .* failed/);
    released(c.id);
    assert.equal(lookup(ctx, c.id).status, 'created');
  });
}

const callIndex = (name: string) => host.calls.findIndex((x) => x === name || x.startsWith(`${name} `));

test('a failed network setup is rolled back, and run removes the container it made', async () => {
  host.failAt = 'setUpNetwork';
  await assert.rejects(runContainer(ctx, req({ name: 'n', networkMode: 'bridge' }), {}), /fake setUpNetwork failed/);
  assert.equal(reconcileAll(ctx).length, 0, 'run leaves no record behind');
  assert.deepEqual([...host.mounts], []);
  assert.deepEqual([...host.netns], [], 'the namespace made before the runtime is gone');
  assert.equal(host.runtime.size, 0, 'the container the runtime created meanwhile is deleted');
  assert.equal(callIndex('startContainer'), -1, 'never started');
});

test('a bridge start makes its namespace alone, names it in the bundle, and makes the rest of its network while the runtime creates', async () => {
  const c0 = createContainer(ctx, req({ name: 'alongside', networkMode: 'bridge', extraHosts: [{ host: 'db', ip: '10.0.0.9' }] }));
  host.calls.length = 0;
  await startContainer(ctx, c0.id);
  const order = ['makeNetns', 'writeBundle', 'createContainer', 'setUpNetwork', 'startContainer'].map(callIndex);
  assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!)), `in order: ${host.calls.join(', ')}`);
  assert.ok(host.calls.includes(`setUpNetwork ${c0.id} nsMade`), 'the namespace is not made twice');
  const spec = host.bundles.get(join(ctx.paths.root, 'containers', c0.id)) as {
    linux: { namespaces: { type: string; path?: string }[] };
    mounts: { destination: string; source: string }[];
  };
  assert.equal(spec.linux.namespaces.find((n) => n.type === 'network')?.path, `/fake/netns/${c0.id}`);
  const bound = (dest: string) => spec.mounts.find((m) => m.destination === dest)?.source ?? '';
  assert.equal(bound('/etc/resolv.conf'), join(runDir(c0.id), 'resolv.conf'));
  assert.equal(readFileSync(bound('/etc/resolv.conf'), 'utf8'), 'nameserver 10.88.0.1\n', 'the bound file is filled before the start');
  assert.equal(readFileSync(bound('/etc/hosts'), 'utf8'), '10.88.0.2\talongside\n10.0.0.9\tdb\n', "--add-host's copy is made from the network's hosts");
  stopContainer(ctx, c0.id, 0);
  released(c0.id);
});

test('a failed create while the network is made alongside it: both awaited, then everything rolled back', async () => {
  const c = createContainer(ctx, req({ name: 'create-fails', networkMode: 'bridge' }));
  host.failAt = 'createContainer';
  await assert.rejects(startContainer(ctx, c.id), /fake createContainer failed/);
  const set = callIndex('setUpNetwork');
  const torn = host.calls.lastIndexOf(`tearDownNetwork ${c.id}`);
  assert.ok(set >= 0 && torn > set, `the network made meanwhile is torn down after it was made: ${host.calls.join(', ')}`);
  released(c.id);
  assert.equal(lookup(ctx, c.id).status, 'created');
});

test('a failed namespace (at once, or from its program later), or a failed start after the network, is rolled back whole', async () => {
  for (const at of ['makeNetns', 'ip netns add', 'startContainer'] as const) {
    const c = createContainer(ctx, req({ name: `fails-${at.replace(/ /g, '-').toLowerCase()}`, networkMode: 'bridge' }));
    host.calls.length = 0;
    if (at === 'ip netns add') host.netnsFailsLate = true;
    else host.failAt = at;
    await assert.rejects(startContainer(ctx, c.id), new RegExp(`fake ${at} failed`));
    if (at !== 'startContainer') assert.equal(callIndex('createContainer'), -1, 'the runtime is not reached without its namespace');
    released(c.id);
    assert.equal(lookup(ctx, c.id).status, 'created');
    assert.deepEqual(readdirSync(join(ctx.paths.root, 'containers', c.id)).filter((f) => f.includes('.tmp')), [], 'no staged record file is left');
  }
});

test("a sysctl of the container's own interface makes the whole network before the runtime, which sets it at create", async () => {
  const c = createContainer(ctx, req({ name: 'iface-sysctl', networkMode: 'bridge', sysctls: { 'net.ipv4.conf.eth0.rp_filter': '2' } }));
  host.calls.length = 0;
  await startContainer(ctx, c.id);
  assert.equal(callIndex('makeNetns'), -1);
  const set = host.calls.indexOf(`setUpNetwork ${c.id}`);
  assert.ok(set >= 0 && set < callIndex('createContainer'), host.calls.join(', '));
  stopContainer(ctx, c.id, 0);
  released(c.id);
});

test('stop: the stop signal ends it, its code is recorded, its resources released, its layer kept', async () => {
  const c = await runContainer(ctx, req(), {});
  const s = stopContainer(ctx, c.id, 5);
  assert.equal(s.status, 'exited');
  assert.equal(s.exitCode, 143);
  assert.ok(s.stopRequested);
  released(c.id);
  assert.ok(existsSync(join(ctx.paths.root, 'containers', c.id, 'diff')), 'the writable layer stays');
});

test('stop: a process that ignores SIGTERM is killed after the timeout (137)', async () => {
  host.ignoreNext = ['SIGTERM'];
  const c = await runContainer(ctx, req(), {});
  const t0 = Date.now();
  const s = stopContainer(ctx, c.id, 1);
  assert.ok(Date.now() - t0 >= 900, 'waited for the timeout');
  assert.equal(s.exitCode, 137);
  assert.ok(host.calls.includes(`signal ${c.pid} SIGKILL`));
});

test('the exit callback records the code and releases everything', async () => {
  const c = await runContainer(ctx, req(), {});
  const { runId } = host.exit(c.id, 3);
  await onContainerExit(ctx, c.id, runId);
  const e = lookup(ctx, c.id);
  assert.equal(e.status, 'exited');
  assert.equal(e.exitCode, 3);
  released(c.id);
});

test('the exit callback of a run that stop already finished writes nothing (on a full disk it would spend the reserve)', async () => {
  const c = await runContainer(ctx, req(), {});
  const runId = host.runtime.get(c.id)!.exitRunId;
  stopContainer(ctx, c.id, 5);
  // Any write (the lock's, an update) would throw now.
  ctx.db.pragma('query_only = ON');
  try {
    await onContainerExit(ctx, c.id, runId);
  } finally {
    ctx.db.pragma('query_only = OFF');
  }
  assert.equal(lookup(ctx, c.id).status, 'exited');
});

test("restart: the old run's late exit callback leaves the new run alone", async () => {
  const c = await runContainer(ctx, req(), {});
  const oldRun = host.runtime.get(c.id)!.exitRunId;
  const r = await restartContainer(ctx, c.id, 0);
  assert.equal(r.status, 'running');
  assert.notEqual(r.runId, oldRun);
  await onContainerExit(ctx, c.id, oldRun); // conmon of the first run, calling back late
  const now = lookup(ctx, c.id);
  assert.equal(now.status, 'running');
  assert.equal(now.pid, r.pid);
  assert.ok(host.alive(r.pid));
});

test('on-failure:2 restarts twice, then stays exited', async () => {
  const c = await runContainer(ctx, req({ restart: { name: 'on-failure', maxRetries: 2 } }), {});
  for (let i = 0; i < 3; i++) {
    const { runId } = host.exit(c.id, 1);
    await onContainerExit(ctx, c.id, runId);
  }
  const e = lookup(ctx, c.id);
  assert.equal(e.status, 'exited');
  assert.equal(e.restartCount, 2);
  assert.equal(host.calls.filter((x) => x.startsWith('createContainer')).length, 3);
});

test('on-failure does not restart a clean exit', async () => {
  const c = await runContainer(ctx, req({ restart: { name: 'on-failure', maxRetries: 0 } }), {});
  const { runId } = host.exit(c.id, 0);
  await onContainerExit(ctx, c.id, runId);
  assert.equal(lookup(ctx, c.id).status, 'exited');
});

test('always backs off: 100 ms, then 200 ms, recorded with the container', async () => {
  const c = await runContainer(ctx, req({ restart: { name: 'always', maxRetries: 0 } }), {});
  let { runId } = host.exit(c.id, 0);
  const t0 = Date.now();
  await onContainerExit(ctx, c.id, runId);
  assert.ok(Date.now() - t0 >= 90);
  assert.equal(lookup(ctx, c.id).restartBackoffMs, 100);
  ({ runId } = host.exit(c.id, 0));
  const t1 = Date.now();
  await onContainerExit(ctx, c.id, runId);
  assert.ok(Date.now() - t1 >= 190);
  const e = lookup(ctx, c.id);
  assert.equal(e.restartBackoffMs, 200);
  assert.equal(e.restartCount, 2);
  assert.equal(e.status, 'running');
});

test('a user stop during the back-off wins over the policy', async () => {
  const c = await runContainer(ctx, req({ restart: { name: 'always', maxRetries: 0 } }), {});
  const { runId } = host.exit(c.id, 1);
  const callback = onContainerExit(ctx, c.id, runId);
  await sleep(20); // the callback is now sleeping out its 100 ms without the lock
  stopContainer(ctx, c.id, 0);
  await callback;
  const e = lookup(ctx, c.id);
  assert.equal(e.status, 'exited');
  assert.equal(e.restartCount, 0);
});

test('kill ends an always policy; a user start resets the count', async () => {
  const c = await runContainer(ctx, req({ restart: { name: 'always', maxRetries: 0 } }), {});
  killContainer(ctx, c.id, 'KILL');
  const { runId } = { runId: host.runtime.get(c.id)!.exitRunId };
  await onContainerExit(ctx, c.id, runId);
  let e = lookup(ctx, c.id);
  assert.equal(e.status, 'exited');
  assert.equal(e.exitCode, 137);
  const s = await startContainer(ctx, c.id);
  assert.equal(s.restartCount, 0);
  assert.equal(s.stopRequested, false);
  const r2 = host.exit(c.id, 2); // the policy applies again
  await onContainerExit(ctx, c.id, r2.runId);
  e = lookup(ctx, c.id);
  assert.equal(e.status, 'running');
  assert.equal(e.restartCount, 1);
});

test('--rm: the exit callback removes the container, its files and its record', async () => {
  const c = await runContainer(ctx, req({ autoRemove: true }), {});
  const { runId } = host.exit(c.id, 0);
  await onContainerExit(ctx, c.id, runId);
  assert.throws(() => lookup(ctx, c.id), (e) => isBerthError(e) && e.kind === 'NotFound');
  assert.ok(!existsSync(join(ctx.paths.root, 'containers', c.id)));
  released(c.id);
});

test('reconcile: a process gone without an exit file is exited (255) and released', async () => {
  const c = await runContainer(ctx, req(), {});
  host.procs.get(c.pid!)!.state = 'gone';
  host.procs.get(c.conmonPid!)!.state = 'gone';
  const [e] = reconcileAll(ctx);
  assert.equal(e!.status, 'exited');
  assert.equal(e!.exitCode, 255);
  released(c.id);
});

test('reconcile: a zombie whose conmon died is not running', async () => {
  const c = await runContainer(ctx, req(), {});
  host.zombify(c.id);
  assert.equal(reconcileOne(ctx, lookup(ctx, c.id)).status, 'exited');
});

test('reconcile: a reused pid is not the container', async () => {
  const c = await runContainer(ctx, req(), {});
  host.reusePid(c.id);
  assert.ok(host.alive(c.pid), 'some process holds the pid');
  assert.equal(reconcileOne(ctx, lookup(ctx, c.id)).status, 'exited');
});

test('reconcile: a record of another boot is exited', async () => {
  const c = await runContainer(ctx, req(), {});
  host.boot = 'boot-2';
  assert.equal(reconcileAll(ctx)[0]!.status, 'exited');
  released(c.id);
});

test('reconcile leaves a running container alone', async () => {
  const c = await runContainer(ctx, req(), {});
  const before = host.calls.length;
  assert.equal(reconcileAll(ctx)[0]!.status, 'running');
  assert.equal(host.calls.length, before, 'no host call for a live container');
  assert.equal(checkExit(ctx, c.id), undefined);
});

test('ps while this same process is starting the container (berth serve, two requests) leaves the start alone', async () => {
  const c = createContainer(ctx, req({ name: 'busy-start' }));
  const real = host.createContainer;
  let during: string | undefined;
  // The runtime's create is where a start waits for conmon; the other request's list comes then.
  host.createContainer = async (o) => {
    await sleep(0);
    during = reconcileAll(ctx).find((x) => x.id === c.id)?.status;
    return real(o);
  };
  const started = await startContainer(ctx, c.id);
  assert.equal(during, 'created');
  assert.equal(started.status, 'running');
  assert.ok(host.mounts.has(merged(c.id)), 'its rootfs is still mounted');
  assert.ok(existsSync(runDir(c.id)), 'its run directory is still there');
  assert.ok(host.runtime.get(c.id)?.started);
});

test('ps finishes what a berth killed in the middle of a start left', async () => {
  const c = createContainer(ctx, req());
  host.failAt = 'startContainer';
  await assert.rejects(startContainer(ctx, c.id));
  // As if the killed berth had got no further than making the run directory and mounting.
  const { mkdirSync } = await import('node:fs');
  mkdirSync(runDir(c.id), { recursive: true });
  host.mounts.add(merged(c.id));
  reconcileAll(ctx);
  released(c.id);
});

test('rm refuses a running container without force; rm -f stops and removes everything', async () => {
  const c = await runContainer(ctx, req({ name: 'gone' }), {});
  assert.throws(() => removeContainer(ctx, 'gone', { force: false }), (e) => isBerthError(e) && e.kind === 'Conflict');
  assert.equal(lookup(ctx, 'gone').status, 'running');
  removeContainer(ctx, 'gone', { force: true });
  released(c.id);
  assert.ok(!existsSync(join(ctx.paths.root, 'containers', c.id)));
  assert.deepEqual(readdirSync(join(ctx.paths.root, 'containers')), []);
});

test('run -it: the session is attached before the process runs, detaches with ctrl-p ctrl-q, attaches again, ends with the exit', async () => {
  const { container: c, session } = await runAttached(ctx, req({ name: 'shell', tty: true, openStdin: true }), { stdin: true });
  const order = host.calls.filter((x) => /^(createContainer|connectAttach|startContainer)/.test(x)).map((x) => x.split(' ')[0]);
  assert.deepEqual(order, ['createContainer', 'connectAttach', 'startContainer']);
  assert.equal(session.tty, true);
  assert.equal(session.stdin, true);
  session.write(Buffer.from('ls\r\x10'));
  session.write(Buffer.from('x\x10\x11ignored'));
  assert.equal(await session.done, 'detached');
  const first = host.attaches.get(c.id)![0]!;
  assert.equal(Buffer.concat(first.input).toString('latin1'), 'ls\r\x10x');
  assert.equal(first.ended, true);
  assert.equal(lookup(ctx, c.id).status, 'running');
  // conmon calls berth back at the exit: the caller may have detached.
  assert.equal(host.runtime.get(c.id)!.exitRunId, lookup(ctx, c.id).runId);

  const again = await attachContainer(ctx, 'shell', { stdin: true, detachKeys: 'ctrl-a' });
  again.resize(40, 120);
  assert.deepEqual(host.resizes, [`${c.id} 40x120`]);
  const { runId } = host.exit(c.id, 3);
  assert.equal(await again.done, 'exited');
  await onContainerExit(ctx, c.id, runId);
  const done = lookup(ctx, c.id);
  assert.equal(done.status, 'exited');
  assert.equal(done.exitCode, 3);
  released(c.id);
});

test('run -it --rm detached from: the wish is recorded and the exit callback removes it; an exit before the wish is removed at once', async () => {
  // The foreground run keeps autoRemove off so that it can read the exit code itself.
  const { container: c, session } = await runAttached(ctx, req({ name: 'detached-rm', tty: true, openStdin: true }), { stdin: true });
  session.write(Buffer.from('\x10\x11'));
  assert.equal(await session.done, 'detached');
  removeOnExit(ctx, c.id);
  assert.equal(lookup(ctx, c.id).status, 'running');
  assert.equal(lookup(ctx, c.id).spec.autoRemove, true);
  const { runId } = host.exit(c.id, 0);
  await onContainerExit(ctx, c.id, runId);
  assert.throws(() => lookup(ctx, c.id), (e) => isBerthError(e) && e.kind === 'NotFound');
  assert.ok(!existsSync(join(ctx.paths.root, 'containers', c.id)));
  released(c.id);

  // It exited (and the callback found no wish) between the detach and the call.
  const { container: d, session: s2 } = await runAttached(ctx, req({ name: 'quick-rm', tty: true, openStdin: true }), { stdin: true });
  s2.write(Buffer.from('\x10\x11'));
  assert.equal(await s2.done, 'detached');
  const late = host.exit(d.id, 0);
  await onContainerExit(ctx, d.id, late.runId);
  assert.equal(lookup(ctx, d.id).status, 'exited');
  removeOnExit(ctx, d.id);
  assert.throws(() => lookup(ctx, d.id), (e) => isBerthError(e) && e.kind === 'NotFound');
  released(d.id);
});

test('attach refuses a stopped container and bad detach keys, and start -a replays nothing', async () => {
  const c = createContainer(ctx, req({ name: 'idle' }));
  await assert.rejects(attachContainer(ctx, 'idle', {}), (e) => isBerthError(e) && e.kind === 'Conflict');
  await assert.rejects(startAttached(ctx, 'idle', { detachKeys: 'ctrl-' }), (e) => isBerthError(e) && e.kind === 'InvalidArgument');
  assert.equal(lookup(ctx, c.id).status, 'created');
  const { session } = await startAttached(ctx, 'idle', {});
  // Without -i the input goes nowhere, and endStdin closes nothing.
  session.write(Buffer.from('dropped'));
  session.endStdin();
  const a = host.attaches.get(c.id)![0]!;
  assert.deepEqual(a.input, []);
  assert.equal(a.stdinClosed, false);
  await assert.rejects(startAttached(ctx, 'idle', {}), (e) => isBerthError(e) && e.kind === 'Conflict');
  host.exit(c.id, 0);
  assert.equal(await session.done, 'exited');
});

test('run -i: a client half-close closes the container stdin; a failed attach rolls the start back', async () => {
  const { container: c, session } = await runAttached(ctx, req({ openStdin: true }), { stdin: true, detachKeys: '' });
  session.write(Buffer.from('\x10\x11'));
  session.endStdin();
  const a = host.attaches.get(c.id)![0]!;
  assert.equal(Buffer.concat(a.input).toString('latin1'), '\x10\x11');
  assert.equal(a.stdinClosed, true);
  await onContainerExit(ctx, c.id, host.exit(c.id, 0).runId);
  released(c.id);

  host.failAt = 'connectAttach';
  await assert.rejects(runAttached(ctx, req({ name: 'never', tty: true }), {}), /fake connectAttach failed/);
  assert.throws(() => lookup(ctx, 'never'), (e) => isBerthError(e) && e.kind === 'NotFound');
  assert.equal(host.mounts.size, 0);
  assert.equal(host.runtime.size, 0);
  assert.equal(host.cgroups.size, 0);
});

test('a started-again container keeps its writable layer and gets a new run id', async () => {
  const c = await runContainer(ctx, req(), {});
  const first = lookup(ctx, c.id).runId;
  stopContainer(ctx, c.id, 0);
  const again = await startContainer(ctx, c.id);
  assert.notEqual(again.runId, first);
  assert.equal(host.calls.filter((x) => x.startsWith('mount')).length, 2);
  assert.ok(existsSync(join(ctx.paths.root, 'containers', c.id, 'diff')));
});

test('a run ended by a reboot finished when the new boot began at the latest, or at an unknown time', async () => {
  const c = await runContainer(ctx, req(), {});
  host.boot = 'boot-2';
  host.bootStart = new Date(Date.now() + 5000);
  const done = reconcileOne(ctx, lookup(ctx, c.id));
  assert.equal(done.status, 'exited');
  assert.equal(done.exitCode, 255);
  assert.equal(done.finishedAt, host.bootStart.toISOString(), 'not the moment ps ran');
  const d = await runContainer(ctx, req({ name: 'unknown-end' }), {});
  host.boot = 'boot-3';
  host.bootStart = null;
  assert.equal(reconcileOne(ctx, lookup(ctx, d.id)).finishedAt, null);
});

test("boot: the previous boot's runs are closed, and the policies decide which come back", async () => {
  const always = await runContainer(ctx, req({ name: 'a', restart: { name: 'always', maxRetries: 0 } }), {});
  const stoppedAlways = await runContainer(ctx, req({ name: 'sa', restart: { name: 'always', maxRetries: 0 } }), {});
  const unless = await runContainer(ctx, req({ name: 'u', restart: { name: 'unless-stopped', maxRetries: 0 } }), {});
  const stoppedUnless = await runContainer(ctx, req({ name: 'su', restart: { name: 'unless-stopped', maxRetries: 0 } }), {});
  const plain = await runContainer(ctx, req({ name: 'p' }), {});
  const never = createContainer(ctx, req({ name: 'n', restart: { name: 'always', maxRetries: 0 } }));
  stopContainer(ctx, stoppedAlways.id, 0);
  stopContainer(ctx, stoppedUnless.id, 0);
  host.boot = 'boot-2';
  const report = await bootSystem(ctx);
  assert.deepEqual(report.failed, []);
  assert.deepEqual(report.started.map((c) => c.name), ['a', 'sa', 'u'], 'oldest first');
  assert.ok(host.calls.includes('restoreBridges'));
  for (const c of [always, stoppedAlways, unless]) assert.equal(lookup(ctx, c.id).bootId, 'boot-2');
  for (const c of [stoppedUnless, plain, never]) assert.notEqual(lookup(ctx, c.id).status, 'running');
  released(plain.id);
  const second = await bootSystem(ctx);
  assert.deepEqual(second.started, [], 'once a boot');
});

test('start --all: every stopped container that matches; one failing does not stop the others', async () => {
  createContainer(ctx, req({ name: 'x1', restart: { name: 'always', maxRetries: 0 } }));
  createContainer(ctx, req({ name: 'x2', restart: { name: 'always', maxRetries: 0 } }));
  createContainer(ctx, req({ name: 'x3' }));
  host.failAt = 'startContainer';
  const r = await startAll(ctx, { restartPolicies: ['always'] });
  assert.deepEqual(r.failed.map((f) => f.container.name), ['x1']);
  assert.deepEqual(r.started.map((c) => c.name), ['x2']);
  assert.equal(lookup(ctx, 'x3').status, 'created');
  released(lookup(ctx, 'x1').id);
});

// ------------------------------------------------------------------ pause, update, rename

test('pause freezes a running container and records paused; unpause thaws it; neither applies twice', async () => {
  const { pauseContainer, unpauseContainer } = await import('./container-pause.js');
  const c = await runContainer(ctx, req({ name: 'p' }), {});
  assert.equal(pauseContainer(ctx, 'p').status, 'paused');
  assert.ok(host.frozen.has(c.id));
  assert.equal(reconcileOne(ctx, lookup(ctx, 'p')).status, 'paused', 'a frozen process is alive: reconcile keeps it');
  assert.throws(() => pauseContainer(ctx, 'p'), (e) => isBerthError(e) && e.kind === 'Conflict' && /paused/.test(e.message));
  assert.equal(unpauseContainer(ctx, 'p').status, 'running');
  assert.ok(!host.frozen.has(c.id));
  assert.throws(() => unpauseContainer(ctx, 'p'), (e) => isBerthError(e) && e.kind === 'Conflict');
  stopContainer(ctx, 'p', 0);
  assert.throws(() => pauseContainer(ctx, 'p'), (e) => isBerthError(e) && e.kind === 'Conflict' && /exited/.test(e.message));
});

test('stop and rm -f of a paused container thaw it first, so the signal is taken and everything is released', async () => {
  const { pauseContainer } = await import('./container-pause.js');
  const c = await runContainer(ctx, req(), {});
  pauseContainer(ctx, c.id);
  const stopped = stopContainer(ctx, c.id, 5);
  assert.equal(stopped.status, 'exited');
  assert.equal(stopped.exitCode, 143, 'SIGTERM reached it: it was thawed before the signal');
  released(c.id);
  const c2 = await runContainer(ctx, req(), {});
  pauseContainer(ctx, c2.id);
  removeContainer(ctx, c2.id, { force: true });
  assert.ok(host.calls.indexOf(`resumeContainer ${c2.id}`) < host.calls.lastIndexOf(`signal ${c2.pid} SIGKILL`));
  released(c2.id);
});

test('a paused container whose process died is reconciled to exited', async () => {
  const { pauseContainer } = await import('./container-pause.js');
  const c = await runContainer(ctx, req(), {});
  pauseContainer(ctx, c.id);
  host.exit(c.id, 137);
  assert.equal(reconcileOne(ctx, lookup(ctx, c.id)).status, 'exited');
  released(c.id);
});

test("update writes a running container's cgroup through the runtime, then the record; a refused update changes neither", async () => {
  const { updateContainer } = await import('./container-update.js');
  const c = await runContainer(ctx, req({ resources: { ...emptyResources(), memory: 64 << 20 } }), {});
  const u = updateContainer(ctx, c.id, { memory: 32 << 20, pidsLimit: 50, restart: { name: 'always', maxRetries: 0 } });
  assert.equal(u.spec.resources.memory, 32 << 20);
  assert.equal(u.spec.resources.pidsLimit, 50);
  assert.equal(u.spec.restart.name, 'always');
  assert.deepEqual(host.updates.get(c.id), [{ memory: { limit: 32 << 20, swap: 64 << 20 }, pids: { limit: 50 } }]);
  host.failAt = 'updateResources';
  assert.throws(() => updateContainer(ctx, c.id, { memory: 16 << 20 }));
  assert.equal(lookup(ctx, c.id).spec.resources.memory, 32 << 20, 'the record is unchanged when the runtime refused');
});

test('update of a stopped container changes only its record, and its next start uses the new limits', async () => {
  const { updateContainer } = await import('./container-update.js');
  const c = createContainer(ctx, req());
  updateContainer(ctx, c.id, { cpus: 0.5, pidsLimit: 20 });
  assert.ok(!host.calls.some((x) => x.startsWith('updateResources')));
  await startContainer(ctx, c.id);
  const spec = host.bundles.get(join(ctx.paths.root, 'containers', c.id)) as { linux: { resources: { cpu?: { quota?: number }; pids?: { limit: number } } } };
  assert.equal(spec.linux.resources.cpu?.quota, 50_000);
  assert.equal(spec.linux.resources.pids?.limit, 20);
  assert.throws(() => updateContainer(ctx, 'nosuch', { cpus: 1 }), (e) => isBerthError(e) && e.kind === 'NotFound');
});

test('rename keeps the id and refuses a name in use or the same name', async () => {
  // Names that are not hex: a one-letter name such as "a" is also an id prefix, and would make the test depend on the random ids.
  const { renameContainer } = await import('./container-rename.js');
  const a = createContainer(ctx, req({ name: 'web' }));
  createContainer(ctx, req({ name: 'proxy' }));
  assert.equal(renameContainer(ctx, 'web', 'queue').id, a.id);
  assert.equal(lookup(ctx, 'queue').id, a.id);
  assert.throws(() => lookup(ctx, 'web'), (e) => isBerthError(e) && e.kind === 'NotFound');
  assert.throws(() => renameContainer(ctx, 'queue', 'proxy'), (e) => isBerthError(e) && e.kind === 'AlreadyExists');
  assert.throws(() => renameContainer(ctx, 'queue', 'queue'), (e) => isBerthError(e) && e.kind === 'AlreadyExists');
  assert.throws(() => renameContainer(ctx, 'queue', 'bad name'), (e) => isBerthError(e) && e.kind === 'InvalidArgument');
});

test("create refuses a relative -w and -m below 6 MB in Docker's words, recording nothing", () => {
  const refused = (over: Partial<CreateRequest>, msg: RegExp) => {
    assert.throws(() => createContainer(ctx, req(over)), (e: unknown) => isBerthError(e) && e.exitCode === 125 && msg.test(e.message));
  };
  refused({ workdir: 'rel/dir' }, /^the working directory 'rel\/dir' is invalid, it needs to be an absolute path$/);
  refused({ resources: { ...emptyResources(), memory: 1 } }, /^Minimum memory limit allowed is 6MB$/);
  assert.equal(reconcileAll(ctx).length, 0);
  assert.equal(createContainer(ctx, req({ workdir: '/abs', resources: { ...emptyResources(), memory: 6 * 1024 * 1024 } })).spec.workdir, '/abs');
});

test('a lost instances file is refused, and recoverRecords brings back a running container from berth.json', async () => {
  const { recoverRecords } = await import('./record-file.js');
  const c = createContainer(ctx, req({ name: 'keeper' }));
  await startContainer(ctx, c.id);
  const idle = createContainer(ctx, req({ name: 'idle' }));
  const saved = JSON.parse((await import('node:fs')).readFileSync(join(ctx.paths.root, 'containers', c.id, 'berth.json'), 'utf8')) as {
    container: { status: string; name: string };
  };
  assert.deepEqual([saved.container.name, saved.container.status], ['keeper', 'running']);
  ctx.db.close();
  rmSync(join(ctx.paths.root, 'berth.db'));
  const again = createContext(ctx.config, { host });
  assert.throws(() => again.db, (e: unknown) => isBerthError(e) && e.code === 'state.instances_lost' && /holds 2 containers/.test(e.message));
  const report = recoverRecords(again);
  assert.deepEqual(report.recovered.map((r) => r.name).sort(), ['idle', 'keeper']);
  ctx = again;
  assert.equal(reconcileOne(ctx, lookup(ctx, 'keeper')).status, 'running', 'its process is still the recorded one');
  assert.equal(lookup(ctx, 'idle').id, idle.id);
  assert.throws(() => createContainer(ctx, req({ name: 'keeper' })), /already in use/);
  assert.equal(recoverRecords(ctx).present, 2, 'a second recover changes nothing');
});

/** The journal's container events as "action exitCode?", oldest first. */
const journal = () =>
  eventsAfter(ctx.db, { afterRowid: 0 }).filter((e) => e.type === 'container').map((e) =>
    e.attributes['exitCode'] === undefined ? e.action : `${e.action} ${e.attributes['exitCode']}`
  );

test('events: a run, its exit callback and rm record create, start, die (with its code) and destroy, each once', async () => {
  const c = await runContainer(ctx, req({ labels: { tier: 'web' } }), {});
  const { runId } = host.exit(c.id, 3);
  await onContainerExit(ctx, c.id, runId);
  // Every later finalize (ps, a late callback) finds the run ended already: no second die.
  reconcileAll(ctx);
  await onContainerExit(ctx, c.id, runId);
  removeContainer(ctx, c.id, { force: false });
  assert.deepEqual(journal(), ['create', 'start', 'die 3', 'destroy']);
  const start = eventsAfter(ctx.db, { afterRowid: 0 })[1]!;
  assert.equal(start.actorId, c.id);
  assert.deepEqual(start.attributes, { tier: 'web', image: 'app', name: c.name });
});

test('events: a restart policy records each die and the start after it; rm -f of a running one records its die', async () => {
  const c = await runContainer(ctx, req({ restart: { name: 'on-failure', maxRetries: 1 } }), {});
  for (let i = 0; i < 2; i++) {
    const { runId } = host.exit(c.id, 1);
    await onContainerExit(ctx, c.id, runId);
  }
  await startContainer(ctx, c.id);
  removeContainer(ctx, c.id, { force: true });
  assert.deepEqual(journal(), ['create', 'start', 'die 1', 'start', 'die 1', 'start', 'kill', 'die 137', 'destroy']);
});

test('events: a run whose start fails records its create and destroy, and no start', async () => {
  host.failAt = 'setUpNetwork';
  await assert.rejects(runContainer(ctx, req({ networkMode: 'bridge' }), {}), /fake setUpNetwork failed/);
  assert.deepEqual(journal(), ['create', 'destroy']);
});

test('events: a journal that cannot be written never fails the operation', async () => {
  ctx.db.exec('DROP TABLE events');
  const written: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (s: string) => written.push(s) > 0;
  try {
    const c = await runContainer(ctx, req(), {});
    assert.equal(stopContainer(ctx, c.id, 0).status, 'exited');
    removeContainer(ctx, c.id, { force: false });
  } finally {
    process.stderr.write = write;
  }
  assert.ok(written.some((l) => /^berth: warning: the container start event was not recorded: no such table: events/.test(l)), written.join(''));
});

test('a start with a healthcheck begins as "starting" with a runner for that run; a restart begins again', async () => {
  const hc = { test: ['true'], intervalMs: 1000, timeoutMs: 1000, retries: 1, startPeriodMs: 0 };
  const c0 = createContainer(ctx, req({ name: 'hc-fake', healthcheck: hc }));
  assert.deepEqual(c0.spec.healthcheck, hc);
  const c = await startContainer(ctx, 'hc-fake');
  assert.ok(host.calls.includes(`startHealthRunner /fake/berth container health-runner ${c.id} ${c.runId!}`), host.calls.join('\n'));
  assert.deepEqual(getHealth(ctx.db, c.id), { containerId: c.id, runId: c.runId, status: 'starting', failingStreak: 0, log: [], runnerPid: null,
    runnerStart: null });
  stopContainer(ctx, c.id, 0);
  const again = await startContainer(ctx, c.id);
  assert.notEqual(again.runId, c.runId);
  assert.equal(getHealth(ctx.db, c.id)?.runId, again.runId);
  // No healthcheck, no runner and no row.
  const plain = await startContainer(ctx, createContainer(ctx, req({ name: 'hc-plain' })).id);
  assert.equal(getHealth(ctx.db, plain.id), undefined);
  assert.equal(host.calls.filter((l) => l.startsWith('startHealthRunner')).length, 2);
});

test('--init, --ulimit and --device reach the bundle; a ulimit above our hard limits is refused with nothing recorded', async () => {
  const c0 = createContainer(ctx,
    req({ name: 'hostopts', init: true, ulimits: [{ name: 'nofile', soft: 10, hard: 20 }],
      devices: [{ pathOnHost: '/dev/null', pathInContainer: '/dev/nil', permissions: 'rw' }] }));
  await startContainer(ctx, c0.id);
  const spec = host.bundles.get(join(ctx.paths.root, 'containers', c0.id)) as {
    process: { args: string[]; rlimits: unknown[] };
    mounts: { destination: string; source: string; options: string[] }[];
    linux: { devices: { path: string }[] };
  };
  assert.deepEqual(spec.process.args, ['/sbin/docker-init', '--', 'sleep', '1000']);
  assert.deepEqual(spec.mounts.find((m) => m.destination === '/sbin/docker-init'), {
    destination: '/sbin/docker-init',
    type: 'bind',
    source: '/usr/bin/tini-static',
    options: ['rbind', 'rprivate', 'ro'],
  });
  assert.deepEqual(spec.process.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 10, hard: 20 }]);
  assert.deepEqual(spec.linux.devices.map((d) => d.path), ['/dev/nil']);
  assert.throws(() => createContainer(ctx, req({ name: 'too-high', ulimits: [{ name: 'memlock', soft: 1, hard: 1 << 30 }] })),
    (e) => isBerthError(e) && e.code === 'ulimit.above_hard');
  assert.throws(() => lookup(ctx, 'too-high'));
});

/** Runs fn with BERTH_SUBUID/BERTH_SUBGID naming a subordinate-id file of the test's own. */
async function withSubids<T>(text: string, fn: () => Promise<T> | T): Promise<T> {
  const file = join(dir, 'subid');
  writeFileSync(file, text);
  const saved = [process.env.BERTH_SUBUID, process.env.BERTH_SUBGID];
  process.env.BERTH_SUBUID = file;
  process.env.BERTH_SUBGID = file;
  try {
    return await fn();
  } finally {
    for (const [k, v] of [['BERTH_SUBUID', saved[0]], ['BERTH_SUBGID', saved[1]]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const userns = (mode: string | undefined, maps: { uidmap?: string[]; gidmap?: string[] } = {}) => ({
  userns: { ...(mode !== undefined ? { mode } : {}), uidmap: maps.uidmap ?? [], gidmap: maps.gidmap ?? [] },
});

test('--userns=auto gives each container its own range of the subordinate ids, and rm frees it', async () => {
  await withSubids('someone:100000:65536\ncontainers:200000:100000\n', () => {
    const first = createContainer(ctx, req({ name: 'uns-first', ...userns('auto') }));
    const second = createContainer(ctx, req({ name: 'uns-second', ...userns('auto:size=1000') }));
    assert.deepEqual(first.spec.userns, { mode: 'auto', uidMap: [{ containerID: 0, hostID: 200000, size: 65536 }],
      gidMap: [{ containerID: 0, hostID: 200000, size: 65536 }] });
    assert.deepEqual(second.spec.userns?.uidMap, [{ containerID: 0, hostID: 265536, size: 1000 }]);
    // 265536 + 1000 + 65536 > 300000: no room for a third of the default size.
    assert.throws(() => createContainer(ctx, req({ name: 'uns-third', ...userns('auto') })), (e: unknown) => isBerthError(e) && e.code === 'userns.exhausted');
    assert.throws(() => lookup(ctx, 'uns-third'));
    removeContainer(ctx, first.id, { force: false });
    const third = createContainer(ctx, req({ name: 'uns-third', ...userns('auto') }));
    assert.deepEqual(third.spec.userns?.uidMap, [{ containerID: 0, hostID: 200000, size: 65536 }], 'the freed range is given again');
  });
});

test("start in a user namespace: the maps in the bundle, the writable layer given to its root, the network made on the runtime's namespace", async () => {
  await withSubids('containers:200000:100000\n', async () => {
    const c0 = createContainer(ctx, req({ name: 'uns-net', networkMode: 'bridge', ...userns('auto') }));
    host.calls.length = 0;
    const c = await startContainer(ctx, c0.id);
    const spec = host.bundles.get(join(ctx.paths.root, 'containers', c0.id)) as {
      linux: { namespaces: { type: string; path?: string }[]; uidMappings: unknown; gidMappings: unknown };
      mounts: { destination: string; type: string }[];
    };
    assert.deepEqual(spec.linux.uidMappings, [{ containerID: 0, hostID: 200000, size: 65536 }]);
    assert.deepEqual(spec.linux.gidMappings, [{ containerID: 0, hostID: 200000, size: 65536 }]);
    assert.ok(spec.linux.namespaces.some((n) => n.type === 'user' && n.path === undefined));
    assert.ok(spec.linux.namespaces.some((n) => n.type === 'network' && n.path === undefined),
      'the runtime makes the network namespace, in the user namespace');
    assert.equal(spec.mounts.find((m) => m.destination === '/sys')?.type, 'sysfs');
    assert.ok(host.calls.includes(`chown ${join(ctx.paths.root, 'containers', c0.id, 'diff')} 200000:200000`));
    const create = host.calls.findIndex((x) => x.startsWith('createContainer'));
    const net = host.calls.indexOf(`setUpNetwork ${c0.id} pid=${c.pid}`);
    const start = host.calls.findIndex((x) => x.startsWith('startContainer'));
    assert.ok(create >= 0 && create < net && net < start, `network between create and start: ${host.calls.join(', ')}`);
    assert.equal(readFileSync(join(runDir(c0.id), 'hosts'), 'utf8'), '10.88.0.2\tuns-net\n', 'the bound /etc/hosts is filled in place');
    const bound = spec.mounts.find((m) => m.destination === '/etc/hosts') as { source?: string } | undefined;
    assert.equal(bound?.source, join(runDir(c0.id), 'hosts'));
    stopContainer(ctx, c0.id, 0);
    released(c0.id);
  });
});

test('a start in a user namespace whose network fails is rolled back whole', async () => {
  await withSubids('containers:200000:100000\n', async () => {
    const c = createContainer(ctx, req({ name: 'uns-fail', networkMode: 'bridge', ...userns('auto') }));
    host.failAt = 'setUpNetwork';
    await assert.rejects(startContainer(ctx, c.id), /fake setUpNetwork failed/);
    released(c.id);
    assert.ok(!existsSync(join(ctx.paths.root, 'containers', c.id, 'idmap')), 'no layer binds are left');
  });
});

test('bad --userns, --uidmap and --gidmap are refused at create with nothing recorded', async () => {
  const bad: [ReturnType<typeof userns>, RegExp][] = [
    [userns('auto:size=lots'), /not a number/],
    [userns('auto:uidmapping=0:1:1'), /unknown option "uidmapping=0:1:1"/],
    [userns('keep-id'), /only for rootless/],
    [userns('private'), /invalid --userns "private"/],
    [userns(undefined, { uidmap: ['0:100000'] }), /want CONTAINER_ID:HOST_ID:SIZE/],
    [userns(undefined, { uidmap: ['0:100000:0'] }), /size must be 1 or more/],
    [userns(undefined, { uidmap: ['0:100000:10', '5:200000:10'] }), /overlap/],
    [userns('auto', { uidmap: ['0:100000:10'] }), /cannot be used with --uidmap/],
  ];
  await withSubids('containers:200000:100000\n', () => {
    for (const [over, msg] of bad) {
      assert.throws(() => createContainer(ctx, req({ name: 'uns-bad', ...over })), (e: unknown) =>
        isBerthError(e) && e.exitCode === 125 && msg.test(e.message));
    }
  });
  await withSubids('someone:100000:65536\n', () => {
    assert.throws(() => createContainer(ctx, req({ name: 'uns-bad', ...userns('auto') })), /no subordinate uids for user "containers"/);
  });
  assert.throws(() => lookup(ctx, 'uns-bad'));
  assert.ok(!existsSync(join(ctx.paths.root, 'containers')), 'no container directory was made');
});

test('--uidmap alone maps gids the same way, and --userns=host is no user namespace', () => {
  const c = createContainer(ctx, req({ name: 'uns-map', ...userns(undefined, { uidmap: ['0:300000:1000', '1000:400000:1'] }) }));
  assert.deepEqual(c.spec.userns, {
    mode: 'map',
    uidMap: [{ containerID: 0, hostID: 300000, size: 1000 }, { containerID: 1000, hostID: 400000, size: 1 }],
    gidMap: [{ containerID: 0, hostID: 300000, size: 1000 }, { containerID: 1000, hostID: 400000, size: 1 }],
  });
  assert.equal(createContainer(ctx, req({ name: 'uns-host', ...userns('host') })).spec.userns, undefined);
});

test('recoverRecords brings back a --userns=auto range, so that no new container is given it', async () => {
  const { recoverRecords } = await import('./record-file.js');
  await withSubids('containers:200000:100000\n', () => {
    const kept = createContainer(ctx, req({ name: 'uns-kept', ...userns('auto') }));
    ctx.db.close();
    rmSync(join(ctx.paths.root, 'berth.db'));
    ctx = createContext(ctx.config, { host });
    assert.deepEqual(recoverRecords(ctx).recovered.map((r) => r.name), ['uns-kept']);
    assert.deepEqual(lookup(ctx, 'uns-kept').spec.userns, kept.spec.userns);
    const next = createContainer(ctx, req({ name: 'uns-next', ...userns('auto:size=1000') }));
    assert.deepEqual(next.spec.userns?.uidMap, [{ containerID: 0, hostID: 265536, size: 1000 }]);
  });
});

test('binds of the layers left by a start killed before the overlay are unmounted before rm deletes anything', async () => {
  await withSubids('containers:200000:100000\n', () => {
    const c = createContainer(ctx, req({ name: 'uns-left', ...userns('auto') }));
    const bind = join(ctx.paths.root, 'containers', c.id, 'idmap', '0');
    mkdirSync(bind, { recursive: true });
    host.mounts.add(bind);
    removeContainer(ctx, c.id, { force: false });
    assert.ok(host.calls.includes(`unmount ${bind}`), host.calls.join(', '));
    assert.ok(!host.mounts.has(bind));
    assert.ok(!existsSync(join(ctx.paths.root, 'containers', c.id)));
  });
});

test('resource flags and oom_score_adj reach the bundle; a refused weight records nothing', async () => {
  const c = createContainer(ctx,
    req({ oomScoreAdj: 250,
      resources: { ...emptyResources(), memory: 64 << 20, memoryReservation: 32 << 20, cpuShares: 1, cpuPeriod: 20_000, cpuQuota: 10_000,
        blkioWeight: 300 } }));
  await startContainer(ctx, c.id);
  const spec = host.bundles.get(join(ctx.paths.root, 'containers', c.id)) as {
    process: { oomScoreAdj: number };
    linux: { resources: { memory?: object; cpu?: object; blockIO?: { weight?: number } } };
  };
  assert.equal(spec.process.oomScoreAdj, 250);
  assert.deepEqual(spec.linux.resources.memory, { limit: 64 << 20, swap: 128 << 20, reservation: 32 << 20 });
  // Docker's floor of 2 shares, kept in the record as well.
  assert.deepEqual(spec.linux.resources.cpu, { period: 20_000, quota: 10_000, shares: 2 });
  assert.equal(spec.linux.resources.blockIO?.weight, 300);
  const before = reconcileAll(ctx).length;
  const orig = host.resourceHost;
  host.resourceHost = () => ({ blkioWeight: false, oomScoreAdj: 0, capSysResource: false });
  try {
    assert.throws(() => createContainer(ctx, req({ resources: { ...emptyResources(), blkioWeight: 300 } })), (e) =>
      isBerthError(e) && e.kind === 'InvalidArgument');
    assert.throws(() => createContainer(ctx, req({ oomScoreAdj: -1 })), /below berth's own oom_score_adj/);
  } finally {
    host.resourceHost = orig;
  }
  assert.equal(reconcileAll(ctx).length, before);
});

test("--cgroupns: the host's by default on v1 and hybrid hosts, a namespace of its own on v2 or when asked", async () => {
  const namespaces = async (name: string, over: Partial<CreateRequest>) => {
    const c = createContainer(ctx, req({ name, ...over }));
    await startContainer(ctx, c.id);
    const spec = host.bundles.get(join(ctx.paths.root, 'containers', c.id)) as { linux: { namespaces: { type: string }[] } };
    return spec.linux.namespaces.some((n) => n.type === 'cgroup');
  };
  assert.equal(await namespaces('hybrid-default', {}), false);
  assert.equal(await namespaces('hybrid-private', { cgroupns: 'private' }), true);
  assert.equal(lookup(ctx, 'hybrid-private').spec.cgroupns, 'private');
  host.cgroupLayout = 'v2';
  assert.equal(await namespaces('v2-default', {}), true);
  assert.equal(await namespaces('v2-host', { cgroupns: 'host' }), false);
  assert.equal(lookup(ctx, 'v2-default').spec.cgroupns, undefined, 'the default is not recorded: it follows the host');
});

type NsSpec = {
  hostname: string;
  domainname?: string;
  annotations: Record<string, string>;
  mounts: { destination: string; source: string; options: string[] }[];
  linux: { namespaces: { type: string; path?: string }[] };
};
const bundleOf = (id: string) => host.bundles.get(join(ctx.paths.root, 'containers', id)) as NsSpec;

test("network container:, pid and ipc join the other container's namespaces through its running init", async () => {
  const db = await runContainer(ctx, req({ name: 'nsdb', networkMode: 'bridge', hostname: 'dbhost' }), {});
  const app = createContainer(ctx,
    req({ name: 'nsapp', networkMode: 'container', namespaces: { network: 'nsdb', pid: 'container:nsdb', ipc: 'host' }, domainname: 'example.test',
      annotations: { 'org.example.note': 'x' } }));
  assert.equal(app.spec.hostname, 'dbhost', "Docker's: the other container's host name");
  assert.deepEqual(app.spec.shared, { network: db.id, pid: db.id, ipc: 'host' });
  await startContainer(ctx, app.id);
  const spec = bundleOf(app.id);
  const ns = Object.fromEntries(spec.linux.namespaces.map((n) => [n.type, n.path ?? 'own']));
  assert.equal(ns.network, `/proc/${db.pid}/ns/net`);
  assert.equal(ns.pid, `/proc/${db.pid}/ns/pid`);
  assert.equal(ns.ipc, undefined, 'the host IPC namespace: none in the spec');
  assert.equal(ns.uts, 'own');
  // The other container's hosts and resolv.conf, bound as it has them.
  const dbMounts = new Map(bundleOf(db.id).mounts.map((m) => [m.destination, m.source]));
  const appMounts = new Map(spec.mounts.map((m) => [m.destination, m.source]));
  assert.equal(appMounts.get('/etc/hosts'), dbMounts.get('/etc/hosts'));
  assert.equal(appMounts.get('/etc/resolv.conf'), dbMounts.get('/etc/resolv.conf'));
  assert.equal(spec.domainname, 'example.test');
  assert.equal(spec.annotations['org.example.note'], 'x');
  assert.equal(spec.annotations['io.berth.name'], 'nsapp');
  assert.ok(!host.netns.has(app.id), 'no network of its own');
  stopContainer(ctx, app.id, 0);
  released(app.id);
});

test('joining a container that is not running is refused at start and leaves nothing behind', async () => {
  const db = createContainer(ctx, req({ name: 'nsoff', networkMode: 'bridge' }));
  const app = createContainer(ctx, req({ name: 'nsjoin', networkMode: 'container', namespaces: { network: db.id } }));
  await assert.rejects(startContainer(ctx, app.id), /cannot join the network namespace of container nsoff: it is not running/);
  released(app.id);
  assert.equal(lookup(ctx, 'nsjoin').status, 'created');
  const pidOnly = createContainer(ctx, req({ name: 'nspid', namespaces: { pid: 'container:nsoff' } }));
  await assert.rejects(startContainer(ctx, pidOnly.id), /cannot join the PID namespace of container nsoff/);
  released(pidOnly.id);
});

test("create refuses what cannot go with another container's network, and unknown modes, recording nothing", async () => {
  await runContainer(ctx, req({ name: 'nsbase' }), {});
  const before = reconcileAll(ctx).length;
  const bad = (over: Partial<CreateRequest>, re: RegExp) => assert.throws(() => createContainer(ctx, req(over)), (e) => isBerthError(e) && re.test(e.message));
  bad({ networkMode: 'container', namespaces: { network: 'nosuch' } }, /no such container: nosuch/);
  bad({ networkMode: 'container', namespaces: { network: 'nsbase' }, hostname: 'h' }, /conflicting options: hostname and the network mode/);
  bad({ networkMode: 'container', namespaces: { network: 'nsbase' }, extraHosts: [{ host: 'x', ip: '10.0.0.1' }] }, /custom host-to-IP mapping/);
  bad({ networkMode: 'container', namespaces: { network: 'nsbase' }, ports: ['80'] }, /publishing ports needs a bridge network/);
  bad({ namespaces: { pid: 'sideways' } }, /--pid: invalid PID mode "sideways"/);
  bad({ namespaces: { ipc: 'none' } }, /--ipc none: not supported by berth/);
  bad({ namespaces: { ipc: 'container:nsbase' }, userns: { mode: 'auto', uidmap: [], gidmap: [] } }, /user namespace cannot be combined/);
  bad({ domainname: 'bad domain' }, /invalid domainname/);
  assert.equal(reconcileAll(ctx).length, before);
});
