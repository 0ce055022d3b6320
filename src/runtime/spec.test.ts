import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSpec, DEFAULT_CAPABILITIES, MASKED_PATHS, READONLY_PATHS } from './spec.js';
import type { SpecInput } from './types.js';

function input(over: Partial<SpecInput> = {}): SpecInput {
  return {
    id: 'abc123',
    rootfs: '/var/lib/berth/containers/abc123/rootfs',
    readonly: false,
    args: ['nginx', '-g', 'daemon off;'],
    env: ['PATH=/usr/bin:/bin', 'HOSTNAME=web'],
    cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [] },
    hostname: 'web',
    terminal: false,
    mounts: [],
    network: { mode: 'none' },
    resources: {},
    cgroupsPath: '/berth/abc123',
    rlimitsHardCap: { nofile: 1_048_576 * 4, nproc: 100_000 },
    ...over,
  };
}

test('process: args, env, cwd, user and Docker defaults', () => {
  const s = buildSpec(input({ user: { uid: 0, gid: 0, additionalGids: [10, 20] } }));
  assert.equal(s.ociVersion, '1.0.2');
  assert.deepEqual(s.process.args, ['nginx', '-g', 'daemon off;']);
  assert.deepEqual(s.process.env, ['PATH=/usr/bin:/bin', 'HOSTNAME=web']);
  assert.equal(s.process.cwd, '/');
  assert.deepEqual(s.process.user, { uid: 0, gid: 0, additionalGids: [10, 20] });
  assert.equal(s.process.terminal, false);
  assert.equal(s.process.noNewPrivileges, false, 'Docker leaves setuid programs working');
  assert.equal(s.process.oomScoreAdj, 0);
  assert.equal(s.hostname, 'web');
  assert.deepEqual(s.root, { path: '/var/lib/berth/containers/abc123/rootfs', readonly: false });
  assert.equal(s.linux.cgroupsPath, '/berth/abc123');
});

test("root gets Docker's 14 capabilities in bounding, effective and permitted; none inheritable or ambient", () => {
  const c = buildSpec(input()).process.capabilities;
  assert.equal(DEFAULT_CAPABILITIES.length, 14);
  for (const set of [c.bounding, c.effective, c.permitted]) assert.deepEqual([...set].sort(), [...DEFAULT_CAPABILITIES].sort());
  assert.deepEqual(c.inheritable, []);
  assert.deepEqual(c.ambient, []);
  assert.ok(!c.bounding.includes('CAP_SYS_ADMIN'));
  assert.ok(c.bounding.includes('CAP_NET_BIND_SERVICE'));
});

test('a non-root user keeps the set only as a bound', () => {
  const c = buildSpec(input({ user: { uid: 1000, gid: 1000, additionalGids: [] } })).process.capabilities;
  assert.equal(c.bounding.length, 14);
  assert.deepEqual(c.effective, []);
  assert.deepEqual(c.permitted, []);
  assert.deepEqual(c.ambient, []);
});

test('additionalGids is omitted when empty', () => {
  assert.equal('additionalGids' in buildSpec(input()).process.user, false);
});

test("RLIMIT_NOFILE is 1048576, or the caller's hard cap when lower; never above it", () => {
  const high = buildSpec(input()).process.rlimits;
  assert.deepEqual(high, [{ type: 'RLIMIT_NOFILE', hard: 1_048_576, soft: 1_048_576 }]);
  const low = buildSpec(input({ rlimitsHardCap: { nofile: 20_000, nproc: 500 } })).process.rlimits;
  assert.deepEqual(low, [{ type: 'RLIMIT_NOFILE', hard: 20_000, soft: 20_000 }]);
  for (const r of low) assert.ok(r.hard <= 20_000 && r.soft <= r.hard);
});

test('namespaces: new netns for none, the given path, none for host; cgroup ns only when asked', () => {
  const types = (s: ReturnType<typeof buildSpec>) => s.linux.namespaces.map((n) => n.type).sort();
  const none = buildSpec(input());
  assert.deepEqual(types(none), ['ipc', 'mount', 'network', 'pid', 'uts']);
  assert.equal(none.linux.namespaces.find((n) => n.type === 'network')?.path, undefined);
  const path = buildSpec(input({ network: { mode: 'path', path: '/run/berth/netns/berth-x' } }));
  assert.deepEqual(path.linux.namespaces.find((n) => n.type === 'network'), { type: 'network', path: '/run/berth/netns/berth-x' });
  const host = buildSpec(input({ network: { mode: 'host' } }));
  assert.deepEqual(types(host), ['ipc', 'mount', 'pid', 'uts']);
  const v2 = buildSpec(input({ privateCgroupNamespace: true }));
  assert.ok(v2.linux.namespaces.some((n) => n.type === 'cgroup'));
});

test("standard mounts with Docker's options", () => {
  const m = buildSpec(input()).mounts;
  const by = (d: string) => m.find((x) => x.destination === d);
  assert.deepEqual(m.map((x) => x.destination), ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm']);
  assert.equal(by('/proc')?.type, 'proc');
  assert.equal(by('/dev')?.type, 'tmpfs');
  assert.equal(by('/dev/pts')?.type, 'devpts');
  assert.deepEqual(by('/sys')?.options, ['nosuid', 'noexec', 'nodev', 'ro']);
  assert.equal(by('/sys/fs/cgroup')?.type, 'cgroup');
  assert.ok(by('/sys/fs/cgroup')?.options.includes('ro'));
  assert.ok(by('/dev/shm')?.options.includes('size=67108864'));
  assert.equal(by('/dev/mqueue')?.type, 'mqueue');
});

test('binds: rbind, ro when asked, parents before children, replacing a default at the same place', () => {
  const s = buildSpec(
    input({
      mounts: [
        { source: '/srv/data/sub', destination: '/data/sub/', readonly: false },
        { source: '/srv/data', destination: '/data', readonly: true },
        { source: '/var/lib/berth/containers/abc123/hosts', destination: '/etc/hosts', readonly: false },
        { source: '/big-shm', destination: '/dev/shm', readonly: false },
      ],
    }),
  );
  const binds = s.mounts.filter((x) => x.type === 'bind');
  // By depth, then in the order given.
  assert.deepEqual(binds.map((b) => b.destination), ['/data', '/data/sub', '/etc/hosts', '/dev/shm']);
  assert.deepEqual(binds[0]?.options, ['rbind', 'rprivate', 'ro']);
  assert.deepEqual(binds[1]?.options, ['rbind', 'rprivate']);
  assert.equal(s.mounts.filter((x) => x.destination === '/dev/shm').length, 1);
  assert.equal(s.mounts.find((x) => x.destination === '/dev/shm')?.source, '/big-shm');
});

test("masked and read-only paths are Docker's", () => {
  const s = buildSpec(input());
  assert.deepEqual(s.linux.maskedPaths, [...MASKED_PATHS]);
  assert.ok(s.linux.maskedPaths.includes('/proc/kcore'));
  assert.ok(s.linux.maskedPaths.includes('/sys/firmware'));
  assert.deepEqual(s.linux.readonlyPaths, [...READONLY_PATHS]);
  assert.ok(s.linux.readonlyPaths.includes('/proc/sys'));
});

test('device rules: deny all first, then the standard char devices', () => {
  const d = buildSpec(input()).linux.resources.devices;
  assert.deepEqual(d[0], { allow: false, access: 'rwm' });
  const allowed = d.filter((r) => r.allow && r.access === 'rwm').map((r) => `${r.major}:${r.minor ?? '*'}`);
  assert.deepEqual(allowed.sort(), ['1:3', '1:5', '1:7', '1:8', '1:9', '136:*', '5:0', '5:1', '5:2'].sort());
  for (const r of d.slice(1)) assert.ok(r.type !== 'b' || r.access === 'm', 'no block device is readable');
});

test('resources: memory, cpus as quota/period, cpuset, pids, blkio', () => {
  const r = buildSpec(
    input({
      resources: {
        memoryBytes: 32 * 1024 * 1024,
        cpus: 1.5,
        cpusetCpus: '0-1',
        pidsLimit: 64,
        blkio: { readBps: [{ major: 254, minor: 0, rate: 1_048_576 }], writeBps: [], readIops: [], writeIops: [{ major: 254, minor: 0, rate: 100 }] },
      },
    }),
  ).linux.resources;
  assert.deepEqual(r.memory, { limit: 33_554_432, swap: 67_108_864 });
  assert.deepEqual(r.cpu, { quota: 150_000, period: 100_000, cpus: '0-1' });
  assert.deepEqual(r.pids, { limit: 64 });
  assert.deepEqual(r.blockIO, { throttleReadBpsDevice: [{ major: 254, minor: 0, rate: 1_048_576 }],
    throttleWriteIOPSDevice: [{ major: 254, minor: 0, rate: 100 }] });
});

test('no resources asked, none emitted but devices', () => {
  const r = buildSpec(input()).linux.resources;
  assert.deepEqual(Object.keys(r), ['devices']);
});

test('cpus rounds to whole microseconds', () => {
  assert.equal(buildSpec(input({ resources: { cpus: 0.333333 } })).linux.resources.cpu?.quota, 33_333);
});

test('seccomp and annotations pass through; absent when not given', () => {
  const seccomp = { defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] };
  const s = buildSpec(input({ seccomp, annotations: { 'io.berth.name': 'web' } }));
  assert.deepEqual(s.linux.seccomp, seccomp);
  assert.deepEqual(s.annotations, { 'io.berth.name': 'web' });
  const bare = buildSpec(input({ seccomp: null }));
  assert.equal(bare.linux.seccomp, undefined);
  assert.equal(bare.annotations, undefined);
});

test('pure: same input, same output, input untouched', () => {
  const i = input({ mounts: [{ source: '/a', destination: '/a', readonly: true }] });
  const before = JSON.stringify(i);
  assert.deepEqual(buildSpec(i), buildSpec(i));
  assert.equal(JSON.stringify(i), before);
});

test('bug-only inputs throw', () => {
  assert.throws(() => buildSpec(input({ args: [] })), /empty command/);
  assert.throws(() => buildSpec(input({ cwd: 'rel' })), /not absolute/);
  assert.throws(() => buildSpec(input({ mounts: [{ source: '/a', destination: 'a', readonly: false }] })), /not absolute/);
});

test('security: a given capability set for root and as the bound of others; no-new-privileges when asked', () => {
  const caps = ['CAP_CHOWN', 'CAP_NET_ADMIN'];
  const root = buildSpec(input({ security: { capabilities: caps, noNewPrivileges: true } }));
  assert.deepEqual(root.process.capabilities, { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] });
  assert.equal(root.process.noNewPrivileges, true);
  const other = buildSpec(input({ user: { uid: 33, gid: 33, additionalGids: [] }, security: { capabilities: caps } }));
  assert.deepEqual(other.process.capabilities, { bounding: caps, effective: [], permitted: [], inheritable: [], ambient: [] });
  assert.equal(other.process.noNewPrivileges, false);
});

test('privileged: no masks, writable /sys and cgroups, every device allowed and the given nodes created', () => {
  const dev = { path: '/dev/vda', type: 'b' as const, major: 254, minor: 0, fileMode: 0o600, uid: 0, gid: 0 };
  const s = buildSpec(input({ security: { privileged: true, devices: [dev] } }));
  assert.deepEqual(s.linux.maskedPaths, []);
  assert.deepEqual(s.linux.readonlyPaths, []);
  const opts = (d: string) => s.mounts.find((m) => m.destination === d)!.options;
  assert.ok(opts('/sys').includes('rw') && !opts('/sys').includes('ro'));
  assert.ok(opts('/sys/fs/cgroup').includes('rw') && !opts('/sys/fs/cgroup').includes('ro'));
  assert.deepEqual(s.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
  assert.deepEqual(s.linux.devices, [dev]);
  const plain = buildSpec(input());
  assert.equal(plain.linux.devices, undefined);
  assert.ok(plain.mounts.find((m) => m.destination === '/sys')!.options.includes('ro'));
  assert.equal(plain.linux.maskedPaths.length, MASKED_PATHS.length);
});

test("tmpfs: Docker's noexec,nosuid,nodev first, the user's options after; replaces a default and sorts with binds", () => {
  const s = buildSpec(input({
    tmpfs: [{ destination: '/run/', options: ['size=1m', 'exec'] }, { destination: '/dev/shm', options: [] }],
    mounts: [{ source: '/h', destination: '/run/app', readonly: false }],
  }));
  const run = s.mounts.findIndex((m) => m.destination === '/run');
  assert.deepEqual(s.mounts[run], { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['noexec', 'nosuid', 'nodev', 'size=1m', 'exec'] });
  assert.ok(run < s.mounts.findIndex((m) => m.destination === '/run/app'));
  assert.deepEqual(s.mounts.filter((m) => m.destination === '/dev/shm').map((m) => m.source), ['tmpfs']);
  assert.throws(() => buildSpec(input({ tmpfs: [{ destination: 'rel', options: [] }] })), /not absolute/);
});

test('--ulimit replaces the default NOFILE and adds others; --device adds its node and one cgroup rule; bind propagation', () => {
  const dev = { path: '/dev/xloop', type: 'b' as const, major: 7, minor: 0, fileMode: 0o600, uid: 0, gid: 0 };
  const s = buildSpec(input({
    rlimits: [{ type: 'RLIMIT_NOFILE', soft: 10, hard: 20 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }],
    devices: [{ device: dev, access: 'r' }],
    mounts: [{ source: '/a', destination: '/b', readonly: true, propagation: 'rslave' }],
  }));
  assert.deepEqual(s.process.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 10, hard: 20 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }]);
  assert.deepEqual(s.linux.devices, [dev]);
  assert.deepEqual(s.linux.resources.devices.at(-1), { allow: true, type: 'b', major: 7, minor: 0, access: 'r' });
  assert.deepEqual(s.mounts.find((m) => m.destination === '/b')?.options, ['rbind', 'rslave', 'ro']);
  // Privileged allows every device already: no rule is added after the allow-all.
  const p = buildSpec(input({ devices: [{ device: dev, access: 'r' }], security: { privileged: true } }));
  assert.deepEqual(p.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
});

test("user namespace: a user namespace with the maps; /sys a bind of the host's when the network namespace is not its own", () => {
  const idMappings = { uid: [{ containerID: 0, hostID: 100000, size: 65536 }], gid: [{ containerID: 0, hostID: 200000, size: 1000 }] };
  const own = buildSpec(input({ idMappings }));
  assert.ok(own.linux.namespaces.some((n) => n.type === 'user' && n.path === undefined));
  assert.deepEqual(own.linux.uidMappings, idMappings.uid);
  assert.deepEqual(own.linux.gidMappings, idMappings.gid);
  assert.equal(own.mounts.find((m) => m.destination === '/sys')?.type, 'sysfs');
  const joined = buildSpec(input({ idMappings, network: { mode: 'path', path: '/run/netns/x' } }));
  const sys = joined.mounts.find((m) => m.destination === '/sys');
  assert.equal(sys?.type, 'bind');
  assert.equal(sys?.source, '/sys');
  assert.ok(sys?.options.includes('ro') && sys.options.includes('rbind'));
  const none = buildSpec(input());
  assert.ok(!none.linux.namespaces.some((n) => n.type === 'user'));
  assert.equal(none.linux.uidMappings, undefined);
});

test("--pid and --ipc: the host's are left out of the namespaces, another's are joined by path", () => {
  const kinds = (s: ReturnType<typeof buildSpec>) => s.linux.namespaces.map((n) => (n.path ? `${n.type}=${n.path}` : n.type));
  assert.deepEqual(kinds(buildSpec(input({ network: { mode: 'none' } }))), ['pid', 'network', 'ipc', 'uts', 'mount']);
  assert.deepEqual(
    kinds(
      buildSpec(
        input({ network: { mode: 'path', path: '/proc/7/ns/net' }, pidNamespace: { mode: 'host' }, ipcNamespace: { mode: 'path', path: '/proc/7/ns/ipc' } }),
      ),
    ),
    ['network=/proc/7/ns/net', 'ipc=/proc/7/ns/ipc', 'uts', 'mount'],
  );
});

test('domainname: the OCI field and the UTS sysctl, which every runtime honours; a user sysctl wins', () => {
  const s = buildSpec(input({ domainname: 'example.test' }));
  assert.equal(s.domainname, 'example.test');
  assert.deepEqual(s.linux.sysctl, { 'kernel.domainname': 'example.test' });
  assert.equal(buildSpec(input()).linux.sysctl, undefined);
  assert.deepEqual(buildSpec(input({ domainname: 'a.test', sysctl: { 'kernel.domainname': 'b.test' } })).linux.sysctl, { 'kernel.domainname': 'b.test' });
});
