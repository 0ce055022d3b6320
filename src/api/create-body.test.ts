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

test("Docker's healthcheck in nanoseconds; NONE is none; --mount is refused, not ignored", () => {
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
  bad(() => toCreateRequest({ Image: 'x', HostConfig: { Mounts: [{ Type: 'bind', Source: '/a', Target: '/b' }] } }, undefined), /Mounts/);
});
