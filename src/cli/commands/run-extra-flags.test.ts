import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBerthError } from '../../common/errors.js';
import { extraRequest, parseEnvFileText } from './run-extra-flags.js';
import type { CreateRequest } from '../../engine/types.js';
import { checkSysctl, parseExtraHost } from '../../engine/index.js';
import { extraHostLines } from '../../engine/extra-hosts.js';

const user125 = (re: RegExp) => (e: unknown) => isBerthError(e) && e.exitCode === 125 && re.test(e.message);

test('env files as Docker reads them: taken as written, bare names copied, comments and blanks skipped', () => {
  assert.deepEqual(parseEnvFileText('# c\nA=1\n\n  B="two words"\nC\nD=x=y\r\nE=\n', 'f'), ['A=1', 'B="two words"', 'C', 'D=x=y', 'E=']);
  assert.throws(() => parseEnvFileText('A=1\nBAD KEY=2\n', 'f.env'), user125(/f.env:2: variable 'BAD KEY' contains whitespaces/));
  assert.throws(() => parseEnvFileText('=x\n', 'f.env'), user125(/f.env:1/));
});

test('--sysctl: the namespaced ones only, net.* not with the host network', () => {
  assert.deepEqual(checkSysctl('kernel.shmmax=1024', 'none'), ['kernel.shmmax', '1024']);
  assert.deepEqual(checkSysctl('net/ipv4/ip_forward=1', 'bridge'), ['net.ipv4.ip_forward', '1']);
  assert.deepEqual(checkSysctl('fs.mqueue.msg_max=20', 'host'), ['fs.mqueue.msg_max', '20']);
  assert.throws(() => checkSysctl('kernel.hostname=x', 'none'), user125(/sysctl 'kernel.hostname' is not whitelisted/));
  assert.throws(() => checkSysctl('vm.swappiness=1', 'none'), user125(/not whitelisted/));
  assert.throws(() => checkSysctl('net.ipv4.ip_forward=1', 'host'), user125(/not allowed in host network namespace/));
  assert.throws(() => checkSysctl('kernel.shmmax', 'none'), user125(/expected NAME=VALUE/));
  assert.throws(() => checkSysctl('net.ipv4..x=1', 'none'), user125(/invalid sysctl name/));
});

test('--add-host NAME:IP or NAME=IP, v4 and v6; bad ones refused', () => {
  assert.deepEqual(parseExtraHost('db.local:10.1.2.3'), { host: 'db.local', ip: '10.1.2.3' });
  assert.deepEqual(parseExtraHost('db=10.1.2.3'), { host: 'db', ip: '10.1.2.3' });
  assert.deepEqual(parseExtraHost('v6:::1'), { host: 'v6', ip: '::1' });
  assert.deepEqual(parseExtraHost('v6:[fd00::1]'), { host: 'v6', ip: 'fd00::1' });
  assert.throws(() => parseExtraHost('db'), user125(/bad format for add-host: db/));
  assert.throws(() => parseExtraHost('db:1.2.3'), user125(/invalid IP address in add-host: "1.2.3"/));
  assert.throws(() => parseExtraHost('-x:1.2.3.4'), user125(/invalid host name/));
  assert.throws(() => parseExtraHost('gw:host-gateway'), user125(/host-gateway is not supported/));
  assert.equal(extraHostLines([{ host: 'a1', ip: '10.0.0.1' }, { host: 'b2', ip: '::1' }]), '10.0.0.1\ta1\n::1\tb2\n');
});

test('--cgroupns host or private, recorded as asked; anything else refused', () => {
  const asked = (v: string) => {
    const req = { env: [], labels: {}, networkMode: 'none' } as unknown as CreateRequest;
    extraRequest({ cgroupns: v }, req);
    return req.cgroupns;
  };
  assert.equal(asked('private'), 'private');
  assert.equal(asked('host'), 'host');
  assert.throws(() => asked('shared'), user125(/^invalid cgroup namespace mode: shared$/));
});
