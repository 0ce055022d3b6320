import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthcheck, parseBind, portSpecs, toCreateRequest } from './create-body.js';
import { ApiError } from './errors.js';

const bad = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof ApiError && e.status === 400 && re.test(e.message));

test("the docker CLI's create body becomes the engine's request", () => {
  const req = toCreateRequest({
    Image: 'busybox',
    Cmd: ['echo', 'hi'],
    Entrypoint: null,
    Env: ['A=1'],
    WorkingDir: '/tmp',
    User: '1000',
    Hostname: 'h',
    Labels: { a: 'b' },
    HostConfig: {
      Memory: 67108864,
      NanoCpus: 500000000,
      CpusetCpus: '0',
      PidsLimit: 100,
      Binds: ['/srv:/data:ro', 'vol:/v'],
      PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
      NetworkMode: 'default',
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
      AutoRemove: false,
      ReadonlyRootfs: true,
      CapAdd: ['NET_ADMIN'],
      CapDrop: null,
      Privileged: false,
      SecurityOpt: ['no-new-privileges'],
    },
    NetworkingConfig: { EndpointsConfig: { default: {} } },
  }, '/web');
  assert.equal(req.name, 'web');
  assert.deepEqual(req.cmd, ['echo', 'hi']);
  assert.equal(req.entrypoint, undefined);
  assert.equal(req.resources.memory, 67108864);
  assert.equal(req.resources.cpus, 0.5);
  assert.equal(req.resources.pidsLimit, 100);
  assert.deepEqual(req.volumes, [{ source: '/srv', destination: '/data', readonly: true }, { source: 'vol', destination: '/v', readonly: false, named: true }]);
  assert.deepEqual(req.ports, ['8080:80/tcp', '127.0.0.1::53/udp']);
  assert.deepEqual(req.networks, [{ network: 'berth' }]);
  assert.deepEqual(req.restart, { name: 'on-failure', maxRetries: 3 });
  assert.equal(req.readOnly, true);
  assert.deepEqual(req.security, { capAdd: ['NET_ADMIN'], noNewPrivileges: true });
});

test('a named network with an address and aliases; --entrypoint "" is no entrypoint', () => {
  const req = toCreateRequest({
    Image: 'busybox',
    Entrypoint: [''],
    HostConfig: { NetworkMode: 'back' },
    NetworkingConfig: { EndpointsConfig: { back: { IPAMConfig: { IPv4Address: '10.1.0.5' }, Aliases: ['db'] } } },
  }, undefined);
  assert.deepEqual(req.entrypoint, []);
  assert.deepEqual(req.networks, [{ network: 'back', ip: '10.1.0.5', aliases: ['db'] }]);
  assert.equal(toCreateRequest({ Image: 'x', HostConfig: { NetworkMode: 'none' } }, undefined).networkMode, 'none');
});

test('untrusted bodies are refused, never guessed at', () => {
  bad(() => toCreateRequest([], undefined), /must be an object/);
  bad(() => toCreateRequest({}, undefined), /Image is required/);
  bad(() => toCreateRequest({ Image: 'x', Cmd: [1] }, undefined), /Cmd/);
  assert.equal(toCreateRequest({ Image: 'x', Tty: true, OpenStdin: true }, undefined).tty, true);
  assert.equal(toCreateRequest({ Image: 'x', OpenStdin: true }, undefined).openStdin, true);
  assert.deepEqual(toCreateRequest({ Image: 'x', AttachStdout: true, AttachStderr: true }, undefined).attach, { stdin: false, stdout: true, stderr: true });
  assert.equal(toCreateRequest({ Image: 'x', AttachStdout: false }, undefined).attach, undefined);
  bad(() => toCreateRequest({ Image: 'x', AttachStdin: 'yes' }, undefined), /AttachStdin must be a boolean/);
  bad(() => toCreateRequest({ Image: 'x', HostConfig: { Memory: '1g' } }, undefined), /Memory/);
  bad(() => toCreateRequest({ Image: 'x', HostConfig: { RestartPolicy: { Name: 'sometimes' } } }, undefined), /restart policy/);
  bad(() => toCreateRequest({ Image: 'x', HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } }, undefined), /AutoRemove/);
  bad(() => toCreateRequest({ Image: 'x', HostConfig: { SecurityOpt: ['seccomp=/etc/shadow'] } }, undefined), /security option/);
  bad(() => toCreateRequest({ Image: 'x', HostConfig: { NetworkMode: 'container:other' } }, undefined), /not supported/);
  bad(() => toCreateRequest({ Image: 'x', HostConfig: { CpusetCpus: '0;reboot' } }, undefined), /CpusetCpus/);
  bad(() => parseBind('rel/path:/x'), /absolute path or a volume name/);
  bad(() => parseBind('../../etc:/x'), /absolute path or a volume name/);
  bad(() => parseBind('/a:rel'), /destination/);
  bad(() => parseBind('/a:/b:rx'), /mode/);
  bad(() => portSpecs({ '80/tcp': [{ HostPort: '80; rm -rf /' }] }), /HostPort/);
  bad(() => portSpecs({ 'eighty': [] }), /invalid port/);
  bad(() => portSpecs({ '80/tcp': [{ HostIp: '::1' }] }), /IPv4/);
});

test("Docker's healthcheck in nanoseconds; NONE is none", () => {
  assert.deepEqual(healthcheck({ Test: ['CMD-SHELL', 'wget -q localhost'], Interval: 2e9, Timeout: 1e9, Retries: 5 }), {
    test: ['/bin/sh', '-c', 'wget -q localhost'],
    intervalMs: 2000,
    timeoutMs: 1000,
    retries: 5,
    startPeriodMs: 0,
  });
  assert.deepEqual(healthcheck({ Test: ['CMD', 'true'] })?.test, ['true']);
  assert.equal(healthcheck({ Test: ['NONE'] }), undefined);
  bad(() => healthcheck({ Test: ['SHELL', 'x'] }), /Healthcheck.Test/);
  assert.equal(toCreateRequest({ Image: 'x', Healthcheck: { Test: ['NONE'] } }, undefined).noHealthcheck, true);
});

test('HostConfig Init, Ulimits, Devices and Mounts become the request; bad shapes are 400', () => {
  const req = toCreateRequest({
    Image: 'x',
    HostConfig: {
      Init: true,
      Ulimits: [{ Name: 'nofile', Soft: 10, Hard: 20 }],
      Devices: [{ PathOnHost: '/dev/fuse', PathInContainer: '', CgroupPermissions: 'rw' }],
      Mounts: [
        { Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true, BindOptions: { Propagation: 'rslave' } },
        { Type: 'volume', Source: 'data', Target: '/d', VolumeOptions: { NoCopy: true } },
        { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1777 } },
      ],
    },
  }, undefined);
  assert.equal(req.init, true);
  assert.deepEqual(req.ulimits, [{ name: 'nofile', soft: 10, hard: 20 }]);
  assert.deepEqual(req.devices, [{ pathOnHost: '/dev/fuse', pathInContainer: '/dev/fuse', permissions: 'rw' }]);
  assert.deepEqual(req.mounts, [
    { type: 'bind', source: '/a', target: '/b', readonly: true, bindPropagation: 'rslave' },
    { type: 'volume', source: 'data', target: '/d', readonly: false, volumeNoCopy: true },
    { type: 'tmpfs', target: '/t', readonly: false, tmpfsSize: 1048576, tmpfsMode: 0o1777 },
  ]);
  const hc = (HostConfig: unknown) => () => toCreateRequest({ Image: 'x', HostConfig }, undefined);
  bad(hc({ Ulimits: [{ Name: 'files', Soft: 1, Hard: 1 }] }), /invalid ulimit type: files/);
  bad(hc({ Ulimits: [{ Name: 'nofile', Soft: 5, Hard: 1 }] }), /soft limit must be less than or equal/);
  bad(hc({ Devices: [{ PathOnHost: 'dev/x' }] }), /absolute paths/);
  bad(hc({ Devices: [{ PathOnHost: '/dev/x', CgroupPermissions: 'rwx' }] }), /invalid device mode/);
  bad(hc({ Mounts: [{ Type: 'npipe', Target: '/b' }] }), /invalid mount type/);
  bad(hc({ Mounts: [{ Type: 'bind', Source: '/a', Target: '/b/../..' }] }), /must be absolute/);
  bad(hc({ Mounts: [{ Type: 'volume', Source: '../etc', Target: '/b' }] }), /invalid volume name/);
  bad(hc({ Mounts: [{ Type: 'tmpfs', Source: '/a', Target: '/b' }] }), /Source must not be specified/);
  bad(hc({ Init: 'yes' }), /HostConfig.Init must be a boolean/);
  const more = toCreateRequest({ Image: 'x', StopSignal: 'SIGUSR1', HostConfig: { ShmSize: 8388608, Sysctls: { 'kernel.shmmax': '1024' } } }, undefined);
  assert.deepEqual([more.stopSignal, more.shmSize, more.sysctls], ['SIGUSR1', 8388608, { 'kernel.shmmax': '1024' }]);
  bad(hc({ ShmSize: -1 }), /ShmSize/);
  bad(hc({ Sysctls: { 'kernel.shmmax': 1 } }), /Sysctls/);
});
