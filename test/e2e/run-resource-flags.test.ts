// --memory-swap, --memory-reservation, --cpu-shares, --cpu-period, --cpu-quota, --blkio-weight,
// --oom-score-adj and --dns*: read back from inside real containers (their cgroup files, their
// /proc/self/oom_score_adj, their resolv.conf), in inspect, through update, and from the docker
// CLI against berth serve; bad values refused with 125, one line, and nothing made.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Berth } from './helpers.js';
import { ApiServer } from './api-helpers.js';

let b: Berth;
before(() => {
  b = new Berth();
  b.importBusybox();
});
after(() => b.destroy());

const v1 = existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes');
// Where each value is in the container's own cgroup (mounted at /sys/fs/cgroup inside), v1 or v2.
const FILES = v1
  ? 'cat /sys/fs/cgroup/memory/memory.soft_limit_in_bytes /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/cpu/cpu.cfs_quota_us'
  : 'cat /sys/fs/cgroup/memory.low /sys/fs/cgroup/cpu.weight; cat /sys/fs/cgroup/cpu.max';
const expected = v1 ? `${32 << 20}\n512\n50000\n25000\n` : undefined;

test('the limits reach the cgroup and oom_score_adj the process; inspect shows them', () => {
  b.ok(['create', '--name', 'limits', '--network', 'none', '-m', '64m', '--memory-swap', '128m', '--memory-reservation', '32m', '--cpu-shares', '512',
    '--cpu-period', '50000', '--cpu-quota', '25000', '--oom-score-adj', '300', 'busybox', 'sh', '-c', `${FILES}; cat /proc/self/oom_score_adj`]);
  // ps's LIMITS column names each, compactly.
  assert.match(b.ok(['ps', '-a', '--filter', 'name=limits']), / mem=64m,swap=128m,memres=32m,shares=512,quota=25000\/50000 /);
  b.ok(['start', '-a', 'limits']);
  const out = b.ok(['logs', 'limits']);
  if (expected !== undefined) assert.equal(out, `${expected}300\n`);
  else assert.equal(out, `${32 << 20}\n20\n25000 50000\n300\n`); // cpu.weight 20 is runc's mapping of 512 shares
  const hc = b.inspect('limits').HostConfig;
  assert.deepEqual(
    [hc.Memory, hc.MemorySwap, hc.MemoryReservation, hc.CpuShares, hc.CpuPeriod, hc.CpuQuota, hc.OomScoreAdj, hc.BlkioWeight],
    [64 << 20, 128 << 20, 32 << 20, 512, 50000, 25000, 300, 0],
  );
  b.ok(['rm', 'limits']);
});

test('update takes the CPU and memory ones on a running container', { skip: !v1 && 'the v1 files are read here' }, () => {
  b.ok(['run', '-d', '--name', 'upd', '--network', 'none', '-m', '64m', 'busybox', 'sleep', '100']);
  b.ok(['update', '--cpu-shares', '256', '--cpu-quota', '30000', '--memory-reservation', '16m', 'upd']);
  const out = b.ok(['exec', 'upd', 'cat', '/sys/fs/cgroup/cpu/cpu.shares', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us',
    '/sys/fs/cgroup/memory/memory.soft_limit_in_bytes']);
  assert.equal(out, `256\n30000\n${16 << 20}\n`);
  const hc = b.inspect('upd').HostConfig;
  assert.deepEqual([hc.CpuShares, hc.CpuQuota, hc.MemoryReservation], [256, 30000, 16 << 20]);
  const bad = b.run(['update', '--memory-reservation', '128m', 'upd']);
  assert.equal(bad.status, 125);
  assert.equal(bad.stderr, 'berth: Minimum memory limit can not be less than memory reservation limit, see usage\n');
  assert.equal(b.inspect('upd').HostConfig.MemoryReservation, 16 << 20);
  b.ok(['rm', '-f', 'upd']);
});

test("--dns, --dns-search, --dns-option on the default network replace the host's", () => {
  const out = b.ok(['run', '--rm', '--dns', '10.9.9.9', '--dns', '10.9.9.8', '--dns-search', 'example.test', '--dns-option', 'ndots:2', 'busybox', 'cat',
    '/etc/resolv.conf']);
  assert.equal(out, 'search example.test\nnameserver 10.9.9.9\nnameserver 10.9.9.8\noptions ndots:2\n');
  assert.equal(b.ok(['run', '--rm', '--network', 'none', '--dns', '10.9.9.9', 'busybox', 'cat', '/etc/resolv.conf']), 'nameserver 10.9.9.9\n');
  // A network connected later rewrites the file with the same choices, aardvark first.
  b.ok(['network', 'create', 'dnslate']);
  try {
    b.ok(['run', '-d', '--name', 'dnsconn', '--dns', '10.9.9.9', '--dns-search', 'lab.test', 'busybox', 'sleep', '100']);
    b.ok(['network', 'connect', 'dnslate', 'dnsconn']);
    const gw = String(b.inspect('dnsconn').NetworkSettings.Networks.dnslate!.Gateway);
    assert.equal(b.ok(['exec', 'dnsconn', 'cat', '/etc/resolv.conf']), `search lab.test\nnameserver ${gw}\nnameserver 10.9.9.9\n`);
  } finally {
    b.run(['rm', '-f', 'dnsconn']);
    b.ok(['network', 'rm', 'dnslate']);
  }
});

test('on a user-defined network aardvark stays first, so container names still resolve', () => {
  b.ok(['network', 'create', 'dnsnet']);
  try {
    b.ok(['run', '-d', '--name', 'dnsweb', '--network', 'dnsnet', 'busybox', 'sleep', '100']);
    const net = b.inspect('dnsweb').NetworkSettings.Networks.dnsnet!;
    const [ip, gw] = [String(net.IPAddress), String(net.Gateway)];
    const out = b.ok(['run', '--rm', '--network', 'dnsnet', '--dns', '10.9.9.9', '--dns-search', 'example.test', 'busybox', 'sh', '-c',
      'cat /etc/resolv.conf; ping -c1 -W2 dnsweb | head -1']);
    assert.equal(out, `search example.test\nnameserver ${gw}\nnameserver 10.9.9.9\nPING dnsweb (${ip}): 56 data bytes\n`);
    b.ok(['rm', '-f', 'dnsweb']);
  } finally {
    b.run(['rm', '-f', 'dnsweb']);
    b.ok(['network', 'rm', 'dnsnet']);
  }
});

test('--log-opt max-size: conmon truncates the log there, and logs still shows the tail', () => {
  b.ok(['run', '-d', '--name', 'logcap', '--network', 'none', '--log-opt', 'max-size=4k', '--log-opt', 'max-file=1', 'busybox', 'sh', '-c',
    'i=0; while [ $i -lt 300 ]; do echo line-$i-padding-padding; i=$((i+1)); done; echo done']);
  b.ok(['wait', 'logcap']);
  const id = b.inspect('logcap').Id;
  assert.ok(statSync(join(b.root, 'containers', id, 'ctr.log')).size <= 4096);
  const all = b.ok(['logs', 'logcap']).split('\n').filter(Boolean);
  assert.ok(all.length > 0 && all.length < 300, `${all.length} lines kept`);
  assert.equal(b.ok(['logs', '--tail', '2', 'logcap']), 'line-299-padding-padding\ndone\n');
  assert.deepEqual(b.inspect('logcap').HostConfig.LogConfig, { Type: 'k8s-file', Config: { 'max-size': '4096', 'max-file': '1' } });
  b.ok(['rm', 'logcap']);
});

test('run -a: only the streams named reach us; -i still feeds stdin', () => {
  const out = b.run(['run', '--rm', '--network', 'none', '-a', 'stdout', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
  assert.deepEqual([out.status, out.stdout, out.stderr], [0, 'out\n', '']);
  const err = b.run(['run', '--rm', '--network', 'none', '-a', 'STDERR', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.deepEqual([err.status, err.stdout, err.stderr], [3, '', 'err\n']);
  const piped = b.run(['run', '--rm', '--network', 'none', '-i', '-a', 'stdin', '-a', 'stdout', 'busybox', 'sh', '-c', 'cat; echo err >&2'], {
    input: 'fed\n',
  });
  assert.deepEqual([piped.status, piped.stdout, piped.stderr], [0, 'fed\n', '']);
});

test("create -a attaches nothing and records the streams (inspect's Config.Attach*); start -a shows stdout and stderr, as Docker's", () => {
  const attach = (name: string) => {
    const c = b.inspect(name).Config;
    return [c['AttachStdin'], c['AttachStdout'], c['AttachStderr']];
  };
  const made = b.run(['create', '--name', 'attachout', '--network', 'none', '-a', 'STDOUT', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
  assert.equal(made.status, 0, made.stderr);
  assert.match(made.stdout, /^[0-9a-f]{64}\n$/);
  assert.deepEqual(attach('attachout'), [false, true, false]);
  assert.equal(b.inspect('attachout').State.Status, 'created');
  const started = b.run(['start', '-a', 'attachout']);
  assert.deepEqual([started.status, started.stdout, started.stderr], [0, 'out\n', 'err\n']);
  b.ok(['create', '--name', 'attachdefault', '--network', 'none', 'busybox', 'true']);
  assert.deepEqual(attach('attachdefault'), [false, true, true]);
  b.ok(['create', '--name', 'attachin', '-i', '--network', 'none', 'busybox', 'true']);
  assert.deepEqual(attach('attachin'), [true, true, true]);
  b.ok(['run', '-d', '--name', 'attachnone', '--network', 'none', 'busybox', 'true']);
  assert.deepEqual(attach('attachnone'), [false, false, false]);
  const bad = b.run(['create', '--name', 'attachbad', '-a', 'stdio', 'busybox', 'true']);
  assert.deepEqual([bad.status, bad.stderr], [125, 'berth: invalid argument "stdio" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR\n']);
  b.ok(['rm', '-f', 'attachout', 'attachdefault', 'attachin', 'attachnone']);
  assert.equal(b.ok(['ps', '-aq']), '');
});

// This host's root runs without CAP_SYS_RESOURCE (CapEff lacks bit 24): the kernel refuses a lower
// oom_score_adj than ours (EACCES), which runc would report only at start.
const ownStatus = readFileSync('/proc/self/status', 'utf8');
const capSysResource = (BigInt(`0x${/^CapEff:\s*([0-9a-f]+)/m.exec(ownStatus)?.[1] ?? '0'}`) & (1n << 24n)) !== 0n;
const ownAdj = Number(readFileSync('/proc/self/oom_score_adj', 'utf8'));

test('--oom-score-adj below ours is refused at create without CAP_SYS_RESOURCE', { skip: capSysResource && 'we hold CAP_SYS_RESOURCE here' }, () => {
  const r = b.run(['run', '--name', 'oomlow', '--network', 'none', '--oom-score-adj', String(ownAdj - 1), 'busybox', 'true']);
  assert.equal(r.status, 125);
  assert.equal(r.stderr,
    `berth: --oom-score-adj ${
      ownAdj - 1
    }: below berth's own oom_score_adj (${ownAdj})\nhint: going lower needs CAP_SYS_RESOURCE, which berth does not have here\n`);
  assert.equal(b.ok(['ps', '-aq']), '');
  assert.equal(b.ok(['run', '--rm', '--network', 'none', '--oom-score-adj', String(ownAdj), 'busybox', 'cat', '/proc/self/oom_score_adj']), `${ownAdj}\n`);
});

test('bad values: 125, one line, nothing made', () => {
  const cases: [string[], string][] = [
    [['--memory-swap', '64m'], 'You should always set the Memory limit when using Memoryswap limit, see usage'],
    [['-m', '64m', '--memory-swap', '32m'], 'Minimum memoryswap limit should be larger than memory limit, see usage'],
    [['--memory-reservation', '1m'], 'Minimum memory reservation allowed is 6MB'],
    [['-m', '8m', '--memory-reservation', '16m'], 'Minimum memory limit can not be less than memory reservation limit, see usage'],
    [['--cpus', '1', '--cpu-quota', '50000'], 'Conflicting options: Nano CPUs and CPU Quota cannot both be set'],
    [['--cpu-period', '999'], 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)'],
    [['--cpu-quota', '10'], 'CPU cfs quota can not be less than 1ms (i.e. 1000)'],
    [['--blkio-weight', '5'], 'Range of blkio weight is from 10 to 1000'],
    [['--oom-score-adj', '-1001'], 'Invalid value -1001, range for oom score adj is [-1000, 1000]'],
    [['--cpu-shares', 'lots'], 'invalid argument "lots" for "--cpu-shares" flag: strconv.ParseInt: parsing "lots": invalid syntax'],
    [['--dns', 'resolver.example'], 'resolver.example is not an ip address'],
    [['--network', 'host', '--dns', '10.9.9.9'], 'conflicting options: dns and the network mode'],
    [['-d', '-a', 'stdout'], 'Conflicting options: -a and -d'],
    [['-a', 'stdio'], 'invalid argument "stdio" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR'],
    [['--log-opt', 'compress=true'], "unknown log opt 'compress' for k8s-file log driver\nhint: berth takes max-size and max-file"],
    [['--log-opt', 'max-size=1m', '--log-opt', 'max-file=3'],
      '--log-opt max-file=3: berth keeps one log file (conmon truncates it at max-size rather than rotating it)\nhint: give max-file=1, or leave it out'],
  ];
  for (const [flags, message] of cases) {
    const r = b.run(['run', '--name', 'refused', ...flags, 'busybox', 'true']);
    assert.equal(r.status, 125, flags.join(' '));
    assert.equal(r.stderr, `berth: ${message}\n`, flags.join(' '));
  }
  assert.equal(b.ok(['ps', '-aq']), '');
});

test('docker run --dns --cpu-shares ... against berth serve: inspect agrees', async () => {
  const api = new ApiServer(b);
  await api.start();
  try {
    const out = api.dockerOk(['run', '--name', 'dock', '--dns', '10.9.9.7', '--dns-search', 'corp.test', '--dns-option', 'ndots:3', '--cpu-shares', '600',
      '--cpu-period', '40000', '--cpu-quota', '20000', '-m', '64m', '--memory-swap', '-1', '--memory-reservation', '24m', '--oom-score-adj', '200', '--log-opt',
      'max-size=1m', 'busybox', 'sh', '-c', 'cat /etc/resolv.conf /proc/self/oom_score_adj']);
    assert.equal(out, 'search corp.test\nnameserver 10.9.9.7\noptions ndots:3\n200\n');
    const hc = b.inspect('dock').HostConfig;
    assert.deepEqual([hc.CpuShares, hc.CpuPeriod, hc.CpuQuota, hc.MemorySwap, hc.MemoryReservation, hc.OomScoreAdj], [600, 40000, 20000, -1, 24 << 20, 200]);
    assert.deepEqual([hc.Dns, hc.DnsSearch, hc.DnsOptions], [['10.9.9.7'], ['corp.test'], ['ndots:3']]);
    assert.deepEqual(hc.LogConfig, { Type: 'k8s-file', Config: { 'max-size': String(1 << 20) } });
    const viaDocker = JSON.parse(api.dockerOk(['inspect', '--format', '{{json .HostConfig}}', 'dock'])) as typeof hc;
    assert.deepEqual([viaDocker.CpuShares, viaDocker.Dns, viaDocker.OomScoreAdj], [600, ['10.9.9.7'], 200]);
    const bad = api.docker(['run', '--rm', '--cpu-period', '10', 'busybox', 'true']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /CPU cfs period can not be less than 1ms/);
    api.dockerOk(['rm', 'dock']);
  } finally {
    await api.stop();
  }
  assert.equal(b.ok(['ps', '-aq']), '');
});
