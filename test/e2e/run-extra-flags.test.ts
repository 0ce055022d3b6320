// --env-file, --label-file, --stop-signal, --shm-size, --sysctl, --add-host and --cidfile, from inside a real
// container and in inspect; bad values refused with 125 and nothing made.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Berth } from './helpers.js';

let b: Berth;
let dir: string;
before(() => {
  b = new Berth();
  b.importBusybox();
  dir = mkdtempSync('/tmp/berth-extra-flags-');
  writeFileSync(join(dir, 'env'), '# settings\nFOO=bar baz\nQUOTED="kept as written"\n\nFROM_CALLER\n');
  writeFileSync(join(dir, 'labels'), 'tier=front\nbare\n');
});
after(() => {
  b.destroy();
  rmSync(dir, { recursive: true, force: true });
});

test('env and label files; -e and -l win over them', () => {
  const r = b.run(['run', '--name', 'files', '--network', 'none', '--env-file', join(dir, 'env'), '-e', 'FOO=flag', '--label-file', join(dir, 'labels'), '-l',
    'tier=back', 'busybox', 'sh', '-c', 'echo "$FOO|$QUOTED|$FROM_CALLER"'], { env: { FROM_CALLER: 'copied' } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'flag|"kept as written"|copied\n');
  assert.deepEqual(b.inspect('files').Config.Labels, { tier: 'back', bare: '' });
  b.ok(['rm', 'files']);
});

test('--shm-size and --sysctl inside the container, kept across a restart', () => {
  b.ok(['create', '--name', 'kern', '--network', 'none', '--shm-size', '8m', '--sysctl', 'kernel.shmmax=1048576', '--sysctl', 'net.ipv4.ip_forward=1',
    'busybox', 'sh', '-c', 'df -k /dev/shm | tail -1; cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_forward']);
  for (let i = 0; i < 2; i++) {
    b.ok(['start', 'kern']);
    b.ok(['wait', 'kern']);
    const out = b.ok(['logs', '--tail', '3', 'kern']);
    assert.match(out, /^shm +8192 /m);
    assert.match(out, /^1048576\n1\n$/m);
  }
  const hc = b.inspect('kern').HostConfig;
  assert.equal(hc.ShmSize, 8 * 1024 * 1024);
  assert.deepEqual(hc.Sysctls, { 'kernel.shmmax': '1048576', 'net.ipv4.ip_forward': '1' });
  b.ok(['rm', 'kern']);
});

test('--stop-signal: stop sends it (the trap sees USR1), and inspect shows it', () => {
  b.ok(['run', '-d', '--name', 'sig', '--network', 'none', '--stop-signal', 'usr1', 'busybox', 'sh', '-c',
    'trap "echo got-usr1; exit 7" USR1; while :; do sleep 0.1; done']);
  assert.equal(b.inspect('sig').Config.StopSignal, 'SIGUSR1');
  b.ok(['stop', '-t', '20', 'sig']);
  assert.equal(b.inspect('sig').State.ExitCode, 7);
  assert.match(b.ok(['logs', 'sig']), /got-usr1/);
  b.ok(['rm', 'sig']);
});

test('--cidfile: the id is written; a file already there is refused before anything is made', () => {
  const cid = join(dir, 'cid');
  const id = b.ok(['run', '-d', '--name', 'cid', '--network', 'none', '--cidfile', cid, 'busybox', 'sleep', '100']).trim();
  assert.equal(readFileSync(cid, 'utf8'), id);
  const again = b.run(['run', '-d', '--name', 'cid-2', '--network', 'none', '--cidfile', cid, 'busybox', 'true']);
  assert.equal(again.status, 125);
  assert.match(again.stderr, /^berth: Container ID file found, make sure the other container isn't running or delete /m);
  assert.equal(b.run(['inspect', 'cid-2']).status, 125);
  b.ok(['rm', '-f', 'cid']);
  rmSync(cid);
  const created = b.ok(['create', '--name', 'cid-3', '--network', 'none', '--cidfile', cid, 'busybox', 'true']).trim();
  assert.equal(readFileSync(cid, 'utf8'), created);
  b.ok(['rm', 'cid-3']);
});

test('--add-host: the lines are in /etc/hosts, with --network host too (a copy: the host file is untouched)', () => {
  const hostBefore = readFileSync('/etc/hosts', 'utf8');
  for (const net of ['none', 'host']) {
    const out = b.ok(['run', '--rm', '--network', net, '--add-host', 'db.local:10.1.2.3', '--add-host', 'six=fd00::1', 'busybox', 'cat', '/etc/hosts']);
    assert.match(out, /^10\.1\.2\.3\tdb\.local\nfd00::1\tsix\n$/m, net);
  }
  assert.equal(readFileSync('/etc/hosts', 'utf8'), hostBefore);
  b.ok(['create', '--name', 'hosts', '--network', 'none', '--add-host', 'db.local:10.1.2.3', 'busybox', 'true']);
  assert.deepEqual(b.inspect('hosts').HostConfig.ExtraHosts, ['db.local:10.1.2.3']);
  b.ok(['rm', 'hosts']);
});

test('bad values: one line, exit 125, nothing created', () => {
  const before = existsSync(join(b.root, 'containers')) ? readdirSync(join(b.root, 'containers')).length : 0;
  const cases: [string[], RegExp][] = [
    [['--env-file', join(dir, 'missing')], /open .*missing: no such file or directory/],
    [['--stop-signal', 'SIGFOO'], /invalid signal: SIGFOO/],
    [['--shm-size', 'big'], /invalid --shm-size "big"/],
    [['--add-host', 'db:1.2.3'], /invalid IP address in add-host: "1.2.3"/],
    [['--sysctl', 'kernel.hostname=x'], /sysctl 'kernel.hostname' is not whitelisted/],
    [['--network', 'host', '--sysctl', 'net.ipv4.ip_forward=1'], /not allowed in host network namespace/],
  ];
  for (const [flags, re] of cases) {
    const net = flags.includes('--network') ? [] : ['--network', 'none'];
    const r = b.run(['run', '--name', 'bad-extra', ...net, ...flags, 'busybox', 'true']);
    assert.equal(r.status, 125, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(b.run(['inspect', 'bad-extra']).status, 125);
  }
  const after = existsSync(join(b.root, 'containers')) ? readdirSync(join(b.root, 'containers')).length : 0;
  assert.equal(after, before);
});
