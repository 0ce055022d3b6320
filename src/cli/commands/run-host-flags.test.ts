import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBerthError } from '../../common/errors.js';
import { parseArgs } from '../args.js';
import { parseDevice, parseHealthFlags, parseMount, parseUlimit } from './run-host-flags.js';
import { RUN_FLAGS, toCreateRequest } from './run-flags.js';

const user125 = (re: RegExp) => (e: unknown) => isBerthError(e) && e.exitCode === 125 && re.test(e.message);
const req = (...argv: string[]) => toCreateRequest(parseArgs([...argv, 'busybox', 'true'], RUN_FLAGS, { stopAtPositional: true, command: 'run' }));

test('--ulimit NAME=SOFT[:HARD], -1 unlimited, go-units messages', () => {
  assert.deepEqual(parseUlimit('nofile=1024:2048'), { name: 'nofile', soft: 1024, hard: 2048 });
  assert.deepEqual(parseUlimit('core=0'), { name: 'core', soft: 0, hard: 0 });
  assert.deepEqual(parseUlimit('stack=-1'), { name: 'stack', soft: -1, hard: -1 });
  assert.deepEqual(parseUlimit('memlock=100:-1'), { name: 'memlock', soft: 100, hard: -1 });
  assert.throws(() => parseUlimit('nofile'), user125(/invalid argument "nofile" for "--ulimit" flag: invalid ulimit argument: nofile/));
  assert.throws(() => parseUlimit('files=1'), user125(/invalid ulimit type: files/));
  assert.throws(() => parseUlimit('nofile=1:2:3'), user125(/too many limit value arguments - 1:2:3/));
  assert.throws(() => parseUlimit('nofile=lots'), user125(/invalid ulimit value: lots/));
  assert.throws(() => parseUlimit('nofile=20:10'), user125(/soft limit must be less than or equal to hard limit: 20 > 10/));
  assert.throws(() => parseUlimit('nofile=-1:10'), user125(/soft limit must be less than or equal to hard limit/));
});

test('--device HOST[:CONTAINER][:PERMS], as Docker reads it', () => {
  assert.deepEqual(parseDevice('/dev/fuse'), { pathOnHost: '/dev/fuse', pathInContainer: '/dev/fuse', permissions: 'rwm' });
  assert.deepEqual(parseDevice('/dev/null:/dev/n'), { pathOnHost: '/dev/null', pathInContainer: '/dev/n', permissions: 'rwm' });
  assert.deepEqual(parseDevice('/dev/null:r'), { pathOnHost: '/dev/null', pathInContainer: '/dev/null', permissions: 'r' });
  assert.deepEqual(parseDevice('/dev/loop0:/dev/x:rw'), { pathOnHost: '/dev/loop0', pathInContainer: '/dev/x', permissions: 'rw' });
  assert.throws(() => parseDevice('/dev/null:/dev/n:rwx'), user125(/invalid device mode: rwx/));
  assert.throws(() => parseDevice('/dev/null:/dev/n:rr'), user125(/invalid device mode: rr/));
  assert.throws(() => parseDevice('/a:/b:r:x'), user125(/bad format for path/));
  assert.throws(() => parseDevice('dev/null'), user125(/not an absolute path/));
  assert.throws(() => parseDevice('/dev/null:/dev/../etc/x'), user125(/not an absolute path/));
  assert.throws(() => parseDevice('/dev/null:/dev'), user125(/cannot be a device's path/));
});

test('--mount: Docker CSV with its aliases and its messages', () => {
  assert.deepEqual(parseMount('type=bind,source=/a,target=/b,readonly,bind-propagation=rshared'), { type: 'bind', source: '/a', target: '/b', readonly: true,
    bindPropagation: 'rshared' });
  assert.deepEqual(parseMount('type=volume,src=data,dst=/d,ro=false,volume-nocopy'), { type: 'volume', source: 'data', target: '/d', readonly: false,
    volumeNoCopy: true });
  assert.deepEqual(parseMount('type=volume,destination=/d'), { type: 'volume', target: '/d', readonly: false });
  assert.deepEqual(parseMount('type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1777'), { type: 'tmpfs', target: '/t', readonly: false,
    tmpfsSize: 64 * 1024 * 1024, tmpfsMode: 0o1777 });
  assert.throws(() => parseMount('target=/b'), user125(/type is required/));
  assert.throws(() => parseMount('type=bind,source=/a'), user125(/target is required/));
  assert.throws(() => parseMount('type=bind,src=/a,target=/b,foo=1'), user125(/unexpected key 'foo' in 'foo=1'/));
  assert.throws(() => parseMount('type=bind,src,target=/b'), user125(/invalid field 'src' must be a key=value pair/));
  assert.throws(() => parseMount('type=bind,src=/a,target=/b,readonly=maybe'), user125(/invalid value for readonly: maybe/));
  assert.throws(() => parseMount('type=npipe,target=/b'), user125(/invalid mount type "npipe"/));
  assert.throws(() => parseMount('type=volume,target=/b,tmpfs-size=1m'), user125(/cannot mix 'tmpfs-\*' options with mount type 'volume'/));
  assert.throws(() => parseMount('type=bind,target=/b,volume-nocopy'), user125(/cannot mix 'volume-\*' options with mount type 'bind'/));
  assert.throws(() => parseMount('type=tmpfs,source=/a,target=/b'), user125(/source must not be specified/));
  assert.throws(() => parseMount('type=bind,target=/b'), user125(/field Source must not be empty/));
  assert.throws(() => parseMount('type=bind,source=rel,target=/b'), user125(/'rel' mount path must be absolute/));
  assert.throws(() => parseMount('type=bind,source=/a,target=b'), user125(/'b' mount path must be absolute/));
  assert.throws(() => parseMount('type=bind,source=/a,target=/b/../../etc'), user125(/mount path must be absolute/));
  assert.throws(() => parseMount('type=volume,source=../x,target=/b'), user125(/invalid characters for a local volume name/));
  assert.throws(() => parseMount('type=tmpfs,target=/b,tmpfs-size=lots'), user125(/invalid value for tmpfs-size: lots/));
  assert.throws(() => parseMount('type=bind,source=/a,target=/b,bind-propagation=up'), user125(/invalid value for bind-propagation: up/));
});

test('health flags: a command is CMD-SHELL, the rest tune the image check, zero is the default', () => {
  assert.deepEqual(parseHealthFlags({ none: false }), { none: false });
  assert.deepEqual(parseHealthFlags({ cmd: 'test -f /ok', interval: '2s', timeout: '500ms', retries: '2', startPeriod: '1m', none: false }), {
    none: false,
    healthcheck: { test: ['/bin/sh', '-c', 'test -f /ok'], intervalMs: 2000, timeoutMs: 500, retries: 2, startPeriodMs: 60_000 },
  });
  assert.deepEqual(parseHealthFlags({ interval: '0s', retries: '0', none: false }), { none: false, healthcheck: { intervalMs: 30_000, retries: 3 } });
  assert.deepEqual(parseHealthFlags({ none: true }), { none: true });
  assert.throws(() => parseHealthFlags({ cmd: 'true', none: true }), user125(/--no-healthcheck conflicts with --health-\* options/));
  assert.throws(() => parseHealthFlags({ retries: 'x', none: false }), user125(/"--health-retries"/));
  assert.throws(() => parseHealthFlags({ retries: '-1', none: false }), user125(/cannot be negative/));
  assert.throws(() => parseHealthFlags({ interval: 'soon', none: false }), user125(/invalid --health-interval "soon"/));
});

test('the flags reach the CreateRequest only when given', () => {
  const plain = req();
  for (const k of ['init', 'ulimits', 'devices', 'mounts', 'healthcheck', 'noHealthcheck'] as const) assert.equal(plain[k], undefined, k);
  const r = req('--init', '--ulimit', 'nofile=10', '--device', '/dev/null', '--mount', 'type=tmpfs,dst=/t', '--health-cmd', 'true');
  assert.equal(r.init, true);
  assert.deepEqual(r.ulimits, [{ name: 'nofile', soft: 10, hard: 10 }]);
  assert.equal(r.devices?.length, 1);
  assert.equal(r.mounts?.[0]?.type, 'tmpfs');
  assert.deepEqual(r.healthcheck, { test: ['/bin/sh', '-c', 'true'] });
  assert.equal(req('--init', '--init-path', '/opt/tini').init, '/opt/tini');
  assert.throws(() => req('--init-path', 'tini'), user125(/absolute path/));
  assert.equal(req('--no-healthcheck').noHealthcheck, true);
});
