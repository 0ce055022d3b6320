// Rootless berth, end to end: a user made for this test (useradd, with a home and subordinate
// ids) loads an image, runs containers in the foreground and detached with a port published on
// the host's loopback, lists, stops and removes them and brings a compose project up and down,
// without root. What berth made is the user's; nothing of it is left when the user is removed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chownSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { BIN, BUSYBOX_TAR, until } from './helpers.js';

const USER = `berthrl${process.pid % 100000}`;
let uid = -1;
let gid = -1;
let home = '';
let ready = false;

function sh(cmd: string, args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { encoding: 'utf8' });
}

/** berth as the test's user, with a login's environment and no XDG_RUNTIME_DIR (so /tmp/berth-UID). */
function berth(args: readonly string[], opts: { cwd?: string } = {}): { code: number; stdout: string; stderr: string } {
  const env = { HOME: home, USER, LOGNAME: USER, PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };
  const r = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '--', BIN, ...args], {
    encoding: 'utf8',
    env,
    cwd: opts.cwd ?? home,
    timeout: 120_000,
  });
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

function ok(args: readonly string[], opts: { cwd?: string } = {}): string {
  const r = berth(args, opts);
  assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** The pids of the test user's processes, read from /proc (the user is the test's own). */
function userProcesses(): { pid: number; comm: string }[] {
  const out: { pid: number; comm: string }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = readFileSync(`/proc/${d}/status`, 'utf8');
      const real = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      if (real === String(uid)) out.push({ pid: Number(d), comm: (/^Name:\s+(.*)$/m.exec(status)?.[1] ?? '').trim() });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Polls an HTTP GET until it answers; undefined when it never does in `ms`. */
async function answered(port: number, path: string, ms: number): Promise<string | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const body = await httpGet(port, path);
    if (body !== undefined || Date.now() > end) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function httpGet(port: number, path: string): Promise<string | undefined> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) });
    return r.ok ? await r.text() : undefined;
  } catch {
    return undefined;
  }
}

function hasSubids(file: string): boolean {
  return readFileSync(file, 'utf8').split('\n').some((l) => l.startsWith(`${USER}:`));
}

before(() => {
  const add = sh('useradd', ['--create-home', '--shell', '/bin/sh', '--user-group', USER]);
  assert.equal(add.status, 0, add.stderr);
  uid = Number(sh('id', ['-u', USER]).stdout.trim());
  gid = Number(sh('id', ['-g', USER]).stdout.trim());
  home = sh('getent', ['passwd', USER]).stdout.split(':')[5] ?? '';
  // Debian's useradd gives a new user subordinate ids (login.defs SUB_UID_*); a host configured
  // otherwise gets a range here.
  if (!hasSubids('/etc/subuid') || !hasSubids('/etc/subgid')) {
    const r = sh('usermod', ['--add-subuids', '500000-565535', '--add-subgids', '500000-565535', USER]);
    assert.equal(r.status, 0, r.stderr);
  }
  ready = true;
});

after(async () => {
  if (uid < 0) return;
  // Everything the user left running (the pause process, and conmon or pasta if a step failed).
  for (let i = 0; i < 50; i++) {
    const procs = userProcesses();
    if (procs.length === 0) break;
    for (const p of procs) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const del = sh('userdel', ['--remove', USER]);
  rmSync(`/tmp/berth-${uid}`, { recursive: true, force: true });
  if (home) rmSync(home, { recursive: true, force: true });
  for (const f of ['/etc/subuid', '/etc/subgid']) {
    if (hasSubids(f)) writeFileSync(f, readFileSync(f, 'utf8').split('\n').filter((l) => !l.startsWith(`${USER}:`)).join('\n'));
  }
  assert.equal(del.status, 0, del.stderr);
  assert.deepEqual(userProcesses(), []);
});

test('an ordinary user loads an image, runs, publishes, lists, stops and removes containers and runs compose, without root', async (t) => {
  assert.ok(ready);
  // berth's files must be readable by others (as a clone in /tmp is); a checkout in a private home is not.
  const probe = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--init-groups', 'test', '-r', BUSYBOX_TAR]);
  if (probe.status !== 0) {
    t.skip(`${USER} cannot read the checkout (${BUSYBOX_TAR})`);
    return;
  }

  assert.match(ok(['image', 'load', '-i', BUSYBOX_TAR]), /Loaded image: localhost\/busybox:latest/);
  assert.match(ok(['images']), /localhost\/busybox/);

  // Root inside is the user outside: uid 0 maps to the user's uid, 1.. to its subordinate ids.
  const fg = ok(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'id -u; cat /proc/self/uid_map']);
  const lines = fg.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
  assert.equal(lines[0], '0');
  assert.equal(lines[1], `0 ${uid} 1`);

  // The default network is user-mode: the container has an interface and a default route.
  assert.match(ok(['run', '--rm', 'busybox', 'ip', 'route']), /^default via /m);

  const port = await freePort();
  const id = ok(['run', '-d', '--name', 'rl-web', '-p', `127.0.0.1:${port}:80`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  const body = await answered(port, '/hostname', 20_000);
  assert.equal(typeof body === 'string' ? body.trim() : body, id.slice(0, 12), 'the published port reaches the container from the host loopback');
  const ps = ok(['ps']);
  assert.match(ps, /rl-web/);
  assert.match(ps, /Up /);
  assert.match(ok(['port', 'rl-web']), new RegExp(`80/tcp -> 127\\.0\\.0\\.1:${port}`));

  // Limits need a cgroup of the user's own, which this host does not delegate: one line, 125.
  const lim = berth(['run', '-d', '-m', '64m', 'busybox', 'true']);
  assert.equal(lim.code, 125);
  assert.match(lim.stderr, /^berth: --memory: rootless berth cannot set limits: cgroup v2 is not delegated to this user on this host\n/);
  // A user-defined network does not exist for rootless berth: one line, 125, nothing made.
  const net = berth(['run', '-d', '--network', 'back', 'busybox', 'true']);
  assert.equal(net.code, 125);
  assert.match(net.stderr, /^berth: network back: rootless berth has only the default network/);

  const low = berth(['run', '-d', '-p', '127.0.0.1:80:80', 'busybox', 'true']);
  assert.equal(low.code, 125);
  assert.match(low.stderr, /^berth: host port 80: rootless berth can publish host ports from \d+ only/);
  ok(['stop', '-t', '2', 'rl-web']);
  assert.match(ok(['ps', '-a']), /Exited .*rl-web/);
  assert.equal(await httpGet(port, '/hostname'), undefined, 'stop ended the port');
  ok(['rm', 'rl-web']);
  assert.doesNotMatch(ok(['ps', '-a']), /rl-web/);

  // compose up: the services run on the user-mode network, published as asked.
  const proj = join(home, 'proj');
  mkdirSync(proj);
  const cport = await freePort();
  writeFileSync(join(proj, 'compose.yaml'), [
    'services:',
    '  web:',
    '    image: busybox',
    '    command: ["httpd", "-f", "-p", "80", "-h", "/etc"]',
    '    ports:',
    `      - "127.0.0.1:${cport}:80"`,
    '  worker:',
    '    image: busybox',
    '    command: ["sleep", "1000"]',
    '',
  ].join('\n'));
  chownSync(proj, uid, gid);
  chownSync(join(proj, 'compose.yaml'), uid, gid);
  const up = berth(['compose', 'up', '-d'], { cwd: proj });
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stderr + up.stdout, /Container proj-web-1 {2}Started/);
  const cps = ok(['compose', 'ps'], { cwd: proj });
  assert.match(cps, /proj-web-1 .*Up/);
  assert.match(cps, /proj-worker-1 .*Up/);
  const cbody = await answered(cport, '/hostname', 20_000);
  assert.ok(typeof cbody === 'string' && /^[0-9a-f]{12}$/.test(cbody.trim()), `compose's web answered ${String(cbody)}`);
  ok(['compose', 'down'], { cwd: proj });
  assert.equal(ok(['ps', '-a', '-q']).trim(), '');

  // Everything is the user's: the root in ~/.local/share/berth, the runroot in /tmp/berth-UID.
  const root = join(home, '.local/share/berth');
  for (const p of [root, join(root, 'berth.db'), `/tmp/berth-${uid}`]) assert.equal(statSync(p).uid, uid, `${p} belongs to ${USER}`);
  assert.equal(statSync(root).mode & 0o777, 0o700);
  // Nothing in root's places: no file of the user's in berth's host directories, and its
  // mounts are in its own mount namespace, not the host's.
  for (const d of ['/var/lib/berth', '/run/berth', '/run/netns', '/sys/fs/cgroup/memory/berth']) {
    if (!existsSync(d)) continue;
    for (const e of readdirSync(d)) assert.notEqual(statSync(join(d, e), { throwIfNoEntry: false })?.uid, uid, `${d}/${e}`);
  }
  const hostMounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '');
  assert.deepEqual(hostMounts.filter((m) => m.startsWith(home) || m.startsWith(`/tmp/berth-${uid}`)), []);
  // Nothing of the user's is running but the pause process that holds its namespaces.
  await until(() => userProcesses().every((p) => p.comm === 'catatonit'), 10_000).catch(() => undefined);
  assert.deepEqual(userProcesses().map((p) => p.comm), ['catatonit']);
  assert.ok(!existsSync(join('/var/lib/berth', 'containers', id)));
});
