// run in the foreground and detached, exit codes, errors, isolation: the CLI as a user meets it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Berth, BIN } from './helpers.js';
import { cgroupMode } from '../../src/sys/cgroups.js';

let b: Berth;
before(() => {
  b = new Berth();
  b.importBusybox();
});
after(() => b.destroy());

test('foreground run streams output and returns the exit code; --rm leaves nothing', () => {
  const r = b.run(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(r.status, 3, r.stderr);
  assert.equal(r.stdout, 'out\n');
  assert.match(r.stderr, /err/);
  assert.equal(b.ok(['ps', '-aq']), '');
  assert.deepEqual(readdirSync(join(b.root, 'containers')), []);
});

test('output into a closed pipe ends quietly with the SIGPIPE status, as in `berth ps | head -1`', () => {
  b.ok(['create', '--network', 'none', 'busybox', 'true']);
  // `true` has exited long before berth writes, so the write meets a pipe with no reader.
  const r = spawnSync('bash', ['-c', `{ sleep 0.5; "$0" --root "$1" --runroot "$2" ps -a; echo "rc=$?" >&2; } | true`, BIN, b.root, b.runroot], {
    encoding: 'utf8',
  });
  assert.equal(r.stderr, 'rc=141\n');
  b.ok(['rm', '-f', b.ok(['ps', '-aq']).trim()]);
});

test('exit codes 127 and 126 for commands that are missing or not executable', () => {
  const missing = b.run(['run', '--rm', '--network', 'none', 'busybox', '/nope']);
  assert.equal(missing.status, 127, missing.stderr);
  assert.equal(missing.stderr.split('\n').filter((l) => l.startsWith('berth:')).length, 1);
  const notExec = b.run(['run', '--rm', '--network', 'none', 'busybox', '/etc/passwd']);
  assert.equal(notExec.status, 126, notExec.stderr);
  assert.equal(b.ok(['ps', '-aq']), '', 'a failed run leaves no container');
});

test('bad input: one line, exit 125, nothing half made', () => {
  const cases: [string[], RegExp][] = [
    [['run', 'nosuchimage', 'true'], /image not found/i],
    [['run', '-m', '64x', 'busybox', 'true'], /invalid --memory "64x"/],
    [['run', '--cpus', '64', 'busybox', 'true'], /more than the \d+ CPUs/],
    [['run', '--runtime', 'kata', 'busybox', 'true'], /unknown --runtime/],
    [['run', '--bogus', 'busybox'], /unknown flag: --bogus/],
    [['stop', 'nosuch'], /no such container: nosuch/],
  ];
  for (const [args, re] of cases) {
    const r = b.run(args);
    assert.equal(r.status, 125, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.split('\n')[0]!, re);
    assert.match(r.stderr, /^berth: /);
  }
  b.ok(['create', '--name', 'dup', '--network', 'none', 'busybox', 'true']);
  const dup = b.run(['create', '--name', 'dup', '--network', 'none', 'busybox', 'true']);
  assert.equal(dup.status, 125);
  assert.match(dup.stderr, /name "dup" is already in use/);
  b.ok(['rm', 'dup']);
  assert.equal(b.ok(['ps', '-aq']), '');
});

test('isolation: own namespaces, Docker default capabilities, no no-new-privileges (as Docker), seccomp, masked /proc', () => {
  const out = b.ok(['run', '--rm', '--network', 'none', '--hostname', 'iso', 'busybox', 'sh', '-c',
    'echo pid=$$; hostname; grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status; ls /sys/class/net | tr "\\n" " "; echo; wc -c < /proc/kcore; id -u']);
  assert.match(out, /^pid=1$/m);
  assert.match(out, /^iso$/m);
  assert.match(out, /^CapEff:\s+00000000a80425fb$/m, 'Docker default capability set');
  assert.match(out, /^NoNewPrivs:\s+0$/m, 'setuid programs work, as under Docker');
  assert.match(out, /^Seccomp:\s+2$/m);
  assert.match(out, /^lo $/m, 'network none has only loopback');
  assert.match(out, /^0$/m, '/proc/kcore is masked');
});

test('image config: Env, WorkingDir and User are honoured, and flags override them', () => {
  const out = b.ok(['run', '--rm', '--network', 'none', '-e', 'FOO=bar', '-w', '/tmp', '-u', 'nobody', 'busybox', 'sh', '-c', 'echo $FOO $PATH; pwd; id -un']);
  assert.match(out, /^bar \/usr\/sbin:\/usr\/bin:\/sbin:\/bin/m);
  assert.match(out, /^\/tmp$/m);
  assert.match(out, /^nobody$/m);
});

test('volumes: bind mounts read-write and read-only', () => {
  const dir = b.root + '-vol';
  try {
    b.ok(['run', '--rm', '--network', 'none', '-v', `${b.root}:/host`, 'busybox', 'sh', '-c', 'echo hi > /host/written']);
    assert.ok(existsSync(join(b.root, 'written')));
    const ro = b.run(['run', '--rm', '--network', 'none', '-v', `${b.root}:/host:ro`, 'busybox', 'sh', '-c', 'echo no > /host/x']);
    assert.notEqual(ro.status, 0);
    assert.ok(!existsSync(join(b.root, 'x')));
    const rofs = b.run(['run', '--rm', '--network', 'none', '--read-only', 'busybox', 'sh', '-c', 'echo no > /x']);
    assert.notEqual(rofs.status, 0);
  } finally {
    void dir;
  }
});

test('host network sees the host interfaces', () => {
  const out = b.ok(['run', '--rm', '--network', 'host', 'busybox', 'ls', '/sys/class/net']);
  assert.ok(out.split('\n').filter(Boolean).length >= 2, out);
});

test('run -i passes stdin; run -t gives the container a terminal', () => {
  const r = b.run(['run', '-i', '--rm', '--network', 'none', 'busybox', 'sh'], { input: 'echo from-stdin; exit 4\n' });
  assert.equal(r.status, 4, r.stderr);
  assert.equal(r.stdout, 'from-stdin\n');
  // As Docker's CheckTty: only -i with -t needs a terminal here; -t alone gives the container one.
  const noTty = b.run(['run', '-it', '--rm', '--network', 'none', 'busybox', 'true']);
  assert.equal(noTty.status, 125);
  assert.match(noTty.stderr, /not a TTY/);
  const tOnly = b.run(['run', '-t', '--rm', '--network', 'none', 'busybox', 'tty']);
  assert.equal(tOnly.status, 0, tOnly.stderr);
  assert.match(tOnly.stdout, /^\/dev\/pts\/\d+\r\n$/);
  // script(1) gives berth a terminal, as a user's shell would.
  const t = spawnSync('script', ['-qec', `${BIN} --root ${b.root} --runroot ${b.runroot} run -it --rm --network none busybox sh -c 'tty; exit 7'`, '/dev/null'],
    { encoding: 'utf8' });
  assert.equal(t.status, 7, t.stdout + t.stderr);
  assert.match(t.stdout, /\/dev\/pts\/\d+/);
  assert.equal(b.ok(['ps', '-aq']), '');
});

test('--runtime crun is refused clearly where crun cannot run (hybrid cgroups)', { skip: cgroupMode() !== 'hybrid' }, () => {
  const r = b.run(['run', '--rm', '--runtime', 'crun', '--network', 'none', 'busybox', 'true']);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /crun does not support this host's hybrid cgroup/);
});
