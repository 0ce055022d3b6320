// The compose keys that `run` has flags for, run for real on busybox and each checked from
// inside the container: init, tty, stdin_open, stop_signal, shm_size, sysctls, ulimits,
// devices, extra_hosts, dns, dns_search, dns_opt, oom_score_adj, cpu_shares, cpu_period,
// cpu_quota, memswap_limit, deploy.resources.reservations, logging; then down leaves nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Berth, jsonLines } from './helpers.js';

const suffix = Math.random().toString(36).slice(2, 8);
const project = `hostkeys${suffix}`;
let b: Berth;
let dir: string;

before(() => {
  b = new Berth();
  b.importBusybox();
  dir = mkdtempSync('/tmp/berth-compose-hostkeys-');
  writeFileSync(join(dir, 'compose.yaml'), `
services:
  box:
    image: localhost/busybox:latest
    # The trap proves stop_signal: INT reaches the shell, which writes to the bind mount.
    command: ["sh", "-c", "trap 'echo got-int > /out/signal; exit 0' INT; while :; do sleep 0.2; done"]
    # made-by-up does not exist: the short syntax makes it, as Compose does.
    volumes: ["./out:/out", "./made-by-up/deeper:/made"]
    init: true
    tty: true
    stdin_open: true
    stop_signal: SIGINT
    stop_grace_period: 5s
    shm_size: 128m
    sysctls:
      net.core.somaxconn: 1024
    ulimits:
      nproc: 512
      nofile: { soft: 1024, hard: 2048 }
    devices: ["/dev/null:/dev/mynull:rw"]
    extra_hosts:
      - "db.internal:10.77.0.5"
      - "cache.internal=10.77.0.6"
    dns: 10.77.0.53
    dns_search: [corp.test]
    dns_opt: ["ndots:2"]
    oom_score_adj: 300
    cpu_shares: 512
    cpu_period: 50ms
    cpu_quota: 25000
    mem_limit: 64m
    memswap_limit: 96m
    deploy:
      resources:
        reservations: { memory: 32m, cpus: "0.5" }
    logging:
      driver: json-file
      options: { max-size: 1m, max-file: "3" }
`);
  // A directory of the project, bound read-write: the container reports through it.
  mkdirSync(join(dir, 'out'));
});

after(() => {
  b.run(['compose', '-p', project, 'down']);
  b.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const compose = (args: string[]) => b.run(['compose', '-p', project, '--project-directory', dir, '-f', join(dir, 'compose.yaml'), ...args]);
const ctr = () => `${project}-box-1`;
const sh = (script: string) => b.ok(['exec', ctr(), 'sh', '-c', script]).trim();

test('each key has its effect inside the container', () => {
  const up = compose(['up', '-d']);
  assert.equal(up.status, 0, up.stderr);
  assert.match(up.stderr, /warning: services\.box\.logging\.options\.max-file: 3: berth keeps one log file/);

  // init: pid 1 is the init, and the command its child.
  assert.match(sh('cat /proc/1/cmdline | tr "\\0" " "'), /^\/sbin\/docker-init -- sh -c /);
  // tty: the command's output is a terminal; stdin_open is recorded.
  assert.match(sh('readlink /proc/1/fd/1'), /^\/dev\/pts\/\d+$/);
  const info = b.inspect(ctr()) as any;
  assert.equal(info.Config.OpenStdin, true);
  assert.equal(info.Config.Tty, true);
  // shm_size: /dev/shm is 128 MiB.
  assert.equal(sh("df -k /dev/shm | awk 'NR==2 {print $2}'"), String(128 * 1024));
  assert.equal(sh('cat /proc/sys/net/core/somaxconn'), '1024');
  assert.equal(sh('ulimit -n'), '1024');
  assert.equal(sh('ulimit -Hn'), '2048');
  assert.equal(sh('ulimit -u'), '512');
  assert.equal(sh('[ -c /dev/mynull ] && echo x > /dev/mynull && echo char'), 'char');
  const hosts = sh('cat /etc/hosts');
  assert.match(hosts, /^10\.77\.0\.5\tdb\.internal$/m);
  assert.match(hosts, /^10\.77\.0\.6\tcache\.internal$/m);
  const resolv = sh('cat /etc/resolv.conf');
  assert.match(resolv, /^nameserver 10\.77\.0\.53$/m);
  assert.match(resolv, /^search corp\.test$/m);
  assert.match(resolv, /^options ndots:2$/m);
  assert.equal(sh('cat /proc/1/oom_score_adj'), '300');
  // The container's own cgroup, mounted at /sys/fs/cgroup inside, v1 or v2.
  if (existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes')) {
    assert.equal(sh('cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/cpu/cpu.cfs_quota_us'), '512\n50000\n25000');
    assert.equal(sh('cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes'),
      `${64 * 1024 * 1024}\n${96 * 1024 * 1024}`);
    // deploy.resources.reservations.memory is the soft limit, as in Compose.
    assert.equal(sh('cat /sys/fs/cgroup/memory/memory.soft_limit_in_bytes'), String(32 * 1024 * 1024));
  } else {
    assert.equal(sh('cat /sys/fs/cgroup/cpu.max'), '25000 50000');
    // runc maps shares 512 to weight 1 + (512-2)*9999/262142.
    assert.equal(sh('cat /sys/fs/cgroup/cpu.weight'), '20');
    assert.equal(sh('cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.swap.max'), `${64 * 1024 * 1024}\n${32 * 1024 * 1024}`);
    assert.equal(sh('cat /sys/fs/cgroup/memory.low'), String(32 * 1024 * 1024));
  }
  // A short-syntax bind whose source was missing: made by up, and written through.
  sh('echo through > /made/x');
  assert.equal(readFileSync(join(dir, 'made-by-up/deeper/x'), 'utf8'), 'through\n');
  assert.deepEqual(info.HostConfig.LogConfig.Config, { 'max-size': String(1024 * 1024), 'max-file': '1' });
});

test('stop_signal: compose stop sends SIGINT, which the command traps', () => {
  const stop = compose(['stop']);
  assert.equal(stop.status, 0, stop.stderr);
  const file = join(dir, 'out', 'signal');
  assert.ok(existsSync(file), 'the INT trap did not run');
  assert.equal(readFileSync(file, 'utf8').trim(), 'got-int');
  assert.equal((b.inspect(ctr()) as any).State.ExitCode, 0);
});

test('compose config prints the keys back; down removes everything', () => {
  const cfg = compose(['config']);
  assert.equal(cfg.status, 0, cfg.stderr);
  for (const line of ['init: true', 'tty: true', 'stdin_open: true', 'stop_signal: SIGINT', 'oom_score_adj: 300', '- db.internal=10.77.0.5']) {
    assert.ok(cfg.stdout.includes(line), `${line} missing from:\n${cfg.stdout}`);
  }
  const down = compose(['down']);
  assert.equal(down.status, 0, down.stderr);
  assert.deepEqual(jsonLines(b.ok(['ps', '-a', '--format', 'json'])), []);
});
