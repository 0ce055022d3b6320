// berth inside a berth container (docs/nested.md): localhost/berth (images/berth) run with
// --privileged, its root on a volume and its runroot on a tmpfs, manages containers of its own,
// with a bridge, a published port (reached from the outer container, and from the host when the
// outer container publishes it too), a user network with its name server, and memory limits in
// cgroups nested under the outer container's. Removing the outer container leaves nothing of
// the inner ones on the host; a new outer container on the same volume finds them again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Berth, REPO, until, type Result, jsonLines } from './helpers.js';
import { leaked, snapshot, type HostObjects } from '../leak.js';
import { freePort } from './registry-helpers.js';

const BERTH_TAR = join(REPO, 'images/out/berth.tar');
const OUTER = 'nest-outer';
const MiB = 1024 * 1024;

let b: Berth;

/** The outer container's berth, as a user types it after `berth exec OUTER`. */
const inner = (outer: string, args: string[]): Result => b.run(['exec', outer, 'berth', ...args]);
function innerOk(outer: string, args: string[]): string {
  const r = inner(outer, args);
  assert.equal(r.status, 0, `inner berth ${args.join(' ')} → ${r.status}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}
const innerId = (outer: string, name: string) => innerOk(outer, ['inspect', '-f', '{{.Id}}', name]).trim();

/** localhost/berth with the example images at /images, as a user would hand them in. */
function runOuter(name: string, flags: string[]): string {
  b.ok(['run', '-d', '--name', name, ...flags, '-v', `${join(REPO, 'images/out')}:/images:ro`, 'localhost/berth']);
  innerOk(name, ['image', 'import', '/images/busybox.tar']);
  return b.inspect(name).Id;
}
const PRIVILEGED = ['--privileged', '-v', 'nest-root:/var/lib/berth', '--tmpfs', '/run/berth'];

/** Retries a command run in the outer container until it succeeds (a server just started). */
async function outerUntilOk(outer: string, args: string[]): Promise<string> {
  const r = await until(() => {
    const got = b.run(['exec', outer, ...args]);
    return got.status === 0 ? got : undefined;
  }, 15_000, 100);
  return r.stdout;
}

/** Host processes whose cgroup lies under the outer container's: its own and every inner one's. */
function processesUnder(outerId: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(`/berth/${outerId}`))
        out.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`);
    } catch { /* gone meanwhile */ }
  }
  return out;
}

/** The outer container's cgroup in every hierarchy, the inner containers' nested inside. */
const cgroupDirsOf = (outerId: string) => readdirSync('/sys/fs/cgroup').map((h) => `/sys/fs/cgroup/${h}/berth/${outerId}`).filter((d) => existsSync(d));

before(() => {
  const built = spawnSync('bash', [join(REPO, 'images/berth/build.sh')], { encoding: 'utf8', timeout: 600_000 });
  assert.equal(built.status, 0, `images/berth/build.sh: ${built.stderr}`);
  b = new Berth();
  b.ok(['image', 'import', BERTH_TAR]);
});
after(() => {
  b.destroy();
});

let outerId = '';
let baseline: HostObjects;

test('inside a privileged berth container, berth runs containers with a published port and a memory limit', async () => {
  baseline = snapshot();
  // The outer container publishes the inner one's port on the host's loopback.
  const hostPort = await freePort();
  outerId = runOuter(OUTER, [...PRIVILEGED, '-p', `127.0.0.1:${hostPort}:8080`]);
  assert.equal(innerOk(OUTER, ['run', '--rm', 'busybox', 'echo', 'hello from the inside']), 'hello from the inside\n');
  innerOk(OUTER, ['run', '-d', '--name', 'nest-web', '-m', '64m', '-p', '8080:80', 'busybox', 'sh', '-c',
    'mkdir -p /www && echo served-by-the-inner-container > /www/index.html && exec httpd -f -p 80 -h /www']);
  const ps = innerOk(OUTER, ['ps']);
  assert.match(ps, /Up .*nest-web\s+mem=64m\s+berth:10\.\d+\.\d+\.\d+/, ps);

  // The published port, from the outer container: on its loopback and on its own address.
  const outerIp = Object.values(b.inspect(OUTER).NetworkSettings.Networks)[0]!.IPAddress;
  assert.match(outerIp, /^10\./);
  for (const host of ['127.0.0.1', outerIp])
    assert.equal(await outerUntilOk(OUTER, ['wget', '-qO-', `http://${host}:8080/`]), 'served-by-the-inner-container\n', host);
  // And from the host, through both: the outer's DNAT to its 8080, the inner's to the container.
  let fromHost = '';
  for (let i = 0; i < 50 && fromHost === ''; i++) {
    fromHost = await fetch(`http://127.0.0.1:${hostPort}/`).then((r) => r.text()).catch(() => '');
    if (fromHost === '') await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(fromHost, 'served-by-the-inner-container\n');

  // The limit is the inner runc's, in a cgroup nested under the outer container's on the host,
  // and it is what the inner container sees as its own.
  const webId = innerId(OUTER, 'nest-web');
  const hostDir = `/sys/fs/cgroup/memory/berth/${outerId}/berth/${webId}`;
  assert.equal(Number(readFileSync(join(hostDir, 'memory.limit_in_bytes'), 'utf8')), 64 * MiB);
  const hostPids = readFileSync(join(hostDir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
  assert.ok(hostPids.length > 0, 'the inner container runs in its nested cgroup');
  assert.match(readFileSync(`/proc/${hostPids[0]}/cmdline`, 'utf8'), /httpd/);
  assert.equal(innerOk(OUTER, ['exec', 'nest-web', 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes']).trim(), String(64 * MiB));
});

test('the nested memory limit is enforced: the inner berth sees its container OOM-killed', () => {
  const r = inner(OUTER, ['run', '--name', 'nest-oom', '-m', '32m', 'busybox', 'sh', '-c', 'x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo survived']);
  assert.equal(r.status, 137, r.stdout + r.stderr);
  assert.equal(innerOk(OUTER, ['inspect', '-f', '{{.State.OOMKilled}}', 'nest-oom']).trim(), 'true');
  innerOk(OUTER, ['rm', 'nest-oom']);
});

test('a user network of the inner berth: its containers find each other by name (aardvark-dns inside)', () => {
  innerOk(OUTER, ['network', 'create', 'nest-net']);
  innerOk(OUTER, ['run', '-d', '--name', 'nest-db', '--network', 'nest-net', 'busybox', 'sh', '-c',
    'mkdir -p /www && echo db-answers > /www/index.html && exec httpd -f -p 80 -h /www']);
  const got = inner(OUTER, ['run', '--rm', '--network', 'nest-net', 'busybox', 'sh', '-c',
    'for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://nest-db/ && exit 0; sleep 0.3; done; exit 1']);
  assert.equal(got.status, 0, got.stderr);
  assert.equal(got.stdout, 'db-answers\n');
});

test('the inner berth builds an image (a RUN step is an inner container) and runs it', () => {
  b.ok(['exec', OUTER, 'sh', '-c',
    'mkdir -p /ctx && printf "FROM localhost/busybox\\nRUN echo built-inside > /hello\\nCMD [\\"cat\\", \\"/hello\\"]\\n" > /ctx/Containerfile']);
  innerOk(OUTER, ['build', '-q', '-t', 'nest-built', '/ctx']);
  assert.equal(innerOk(OUTER, ['run', '--rm', 'nest-built']), 'built-inside\n');
  innerOk(OUTER, ['rmi', 'nest-built']);
});

test('the inner berth stops and removes what it runs', () => {
  const stopped = inner(OUTER, ['stop', '-t', '1', 'nest-web']);
  assert.equal(stopped.status, 0, stopped.stderr);
  assert.match(innerOk(OUTER, ['ps', '-a']), /Exited \(\d+\) .*nest-web/);
  innerOk(OUTER, ['rm', 'nest-web']);
  assert.doesNotMatch(innerOk(OUTER, ['ps', '-a']), /nest-web/);
});

test("the outer container's pid 1 (tini) reaps the inner conmons and name servers that ended", async () => {
  const zombies = () =>
    processesUnder(outerId).map((p) => p.split(' ')[0]!).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0] === 'Z';
      } catch {
        return false;
      }
    });
  // nest-web's conmon and three runs' worth of --rm containers have ended by now.
  await until(() => zombies().length === 0, 10_000, 100).catch(() => undefined);
  assert.deepEqual(zombies(), []);
});

test('removing the outer container leaves nothing of the inner ones on the host', async () => {
  // Left running on purpose: rm -f of the outer container is what ends them.
  innerOk(OUTER, ['run', '-d', '--name', 'nest-left', '-m', '32m', '-p', '8081:80', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);
  const innerIds = [innerId(OUTER, 'nest-left'), innerId(OUTER, 'nest-db')];
  const innerNets = jsonLines(innerOk(OUTER, ['network', 'ls', '--no-trunc', '--format', 'json'])).map((n) => n.ID!);
  assert.ok(processesUnder(outerId).some((p) => p.includes('conmon') && p.includes(innerIds[0]!)), 'the inner conmon runs before');
  assert.ok(processesUnder(outerId).some((p) => p.includes('aardvark-dns')), 'the inner name server runs before');

  b.ok(['rm', '-f', OUTER]);

  // Every object berth names after an id (netns, veths, port chains, bridges, conmon's argv),
  // of the outer container and of the inner ones and their networks.
  const tokens = [outerId.slice(0, 9), ...innerIds.map((id) => id.slice(0, 9)), ...innerNets.map((id) => id.slice(0, 8))];
  const mine = (x: string) => tokens.some((t) => x.includes(t)) || x.includes(b.root);
  const ours = (o: Partial<HostObjects>) => {
    const out: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(o)) {
      const kept = (v ?? []).filter(mine);
      if (kept.length > 0) out[k] = kept;
    }
    return out;
  };
  await until(() => processesUnder(outerId).length === 0 && cgroupDirsOf(outerId).length === 0, 15_000, 100)
    .catch(() => undefined);
  assert.deepEqual(processesUnder(outerId), [], 'no process of the outer or inner containers');
  assert.deepEqual(cgroupDirsOf(outerId), [], 'no cgroup of the outer container, nor the inner ones nested in it');
  assert.deepEqual(ours(leaked(baseline, snapshot())), {}, 'no mount, netns, link, nft chain or conmon');
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(b.root) || l.includes(b.runroot));
  assert.deepEqual(mounts, [], 'nothing mounted under the outer root, its volume among it');
});

test('a new outer container on the same volume finds the inner containers exited, and starts them again', async () => {
  outerId = runOuter(OUTER, PRIVILEGED);
  const ps = innerOk(OUTER, ['ps', '-a']);
  assert.match(ps, /Exited .*nest-left/, ps);
  assert.match(ps, /Exited .*nest-db/, ps);
  innerOk(OUTER, ['start', 'nest-left', 'nest-db']);
  assert.equal(await outerUntilOk(OUTER, ['wget', '-qO-', 'http://127.0.0.1:8081/hostname']), `${innerId(OUTER, 'nest-left').slice(0, 12)}\n`);
  const got = inner(OUTER, ['run', '--rm', '--network', 'nest-net', 'busybox', 'sh', '-c',
    'for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://nest-db/ && exit 0; sleep 0.3; done; exit 1']);
  assert.equal(got.stdout, 'db-answers\n', got.stderr);
  b.ok(['rm', '-f', OUTER]);
  await until(() => processesUnder(outerId).length === 0 && cgroupDirsOf(outerId).length === 0, 15_000, 100).catch(() => undefined);
  assert.deepEqual(processesUnder(outerId), []);
  assert.deepEqual(cgroupDirsOf(outerId), []);
  b.ok(['volume', 'rm', 'nest-root']);
});

test("--cgroupns private: the inner berth sees its own cgroup as the root, and its limits still nest under the outer's", () => {
  const id = runOuter('nest-cgns', ['--privileged', '--cgroupns', 'private', '-v', 'nest-cgns-root:/var/lib/berth', '--tmpfs', '/run/berth']);
  assert.match(b.ok(['exec', 'nest-cgns', 'cat', '/proc/self/cgroup']), /^\d+:memory:\/$/m);
  innerOk('nest-cgns', ['run', '-d', '--name', 'nest-cgns-inner', '--network', 'none', '-m', '40m', 'busybox', 'sleep', '1000']);
  const innerCtr = innerId('nest-cgns', 'nest-cgns-inner');
  assert.equal(Number(readFileSync(`/sys/fs/cgroup/memory/berth/${id}/berth/${innerCtr}/memory.limit_in_bytes`, 'utf8')), 40 * MiB);
  b.ok(['rm', '-f', 'nest-cgns']);
  assert.deepEqual(cgroupDirsOf(id), []);
  b.ok(['volume', 'rm', 'nest-cgns-root']);
});

test("the host's system check --repair leaves alone an inner berth whose root and runroot are at the host root's paths", () => {
  // The same paths as this test's host root: the inner conmons' -b and the inner name server's
  // --config then read exactly as the host berth's own would.
  runOuter('nest-same', ['--privileged', '-v', `nest-same-root:${b.root}`, '--tmpfs', b.runroot]);
  const same = (args: string[]) => innerOk('nest-same', ['--root', b.root, '--runroot', b.runroot, ...args]);
  same(['image', 'import', '/images/busybox.tar']);
  same(['network', 'create', 'nest-same-net']);
  same(['run', '-d', '--name', 'nest-same-ctr', '--network', 'nest-same-net', 'busybox', 'sleep', '1000']);
  const id = same(['inspect', '-f', '{{.Id}}', 'nest-same-ctr']).trim();
  const check = b.run(['system', 'check']);
  assert.doesNotMatch(check.stdout + check.stderr, new RegExp(`${id.slice(0, 12)}|aardvark`), "the inner objects are not the host root's");
  b.run(['system', 'check', '--repair']);
  assert.match(same(['ps']), /Up .*nest-same-ctr/);
  assert.equal(same(['exec', 'nest-same-ctr', 'echo', 'alive']), 'alive\n');
  assert.ok(processesUnder(b.inspect('nest-same').Id).some((p) => p.includes('aardvark-dns')), 'the inner name server still runs');
  b.ok(['rm', '-f', 'nest-same']);
  b.ok(['volume', 'rm', 'nest-same-root']);
});

test("without --privileged, or with its root on the container's own overlayfs, berth refuses in one line and makes nothing", () => {
  runOuter('nest-plain', ['-v', 'nest-plain-root:/var/lib/berth']);
  const plain = inner('nest-plain', ['run', '-d', '--name', 'nest-refused', '-p', '8082:80', 'busybox', 'true']);
  assert.equal(plain.status, 125);
  assert.match(plain.stderr,
    /^berth: cannot run containers: berth runs as root without CAP_SYS_ADMIN and CAP_NET_ADMIN, as in a container started without --privileged\nhint: .*--privileged/);
  assert.equal(inner('nest-plain', ['network', 'create', 'nest-refused-net']).status, 125);
  assert.doesNotMatch(innerOk('nest-plain', ['ps', '-a']), /nest-refused/);
  assert.doesNotMatch(innerOk('nest-plain', ['network', 'ls']), /nest-refused-net|berth /);

  runOuter('nest-overlay', ['--privileged']);
  const overlay = inner('nest-overlay', ['run', '--rm', 'busybox', 'true']);
  assert.equal(overlay.status, 125);
  assert.match(overlay.stderr, /^berth: cannot run containers: \/var\/lib\/berth\S* is on overlayfs .*\nhint: .*-v berth-root:\/var\/lib\/berth/);
  assert.doesNotMatch(innerOk('nest-overlay', ['ps', '-a']), /busybox/);
  b.ok(['rm', '-f', 'nest-plain', 'nest-overlay']);
  b.ok(['volume', 'rm', 'nest-plain-root']);
});
