import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLONE_NAMESPACE_FLAGS, KEYRING_CALLS, restrictAsDocker, SYS_ADMIN_CALLS } from './seccomp-docker.js';
import { DEFAULT_CAPABILITIES } from './spec.js';
import type { OciSeccomp } from './types.js';

// The shape of the containers-common profile once resolved: one big allow list, namespaces included.
const podmanLike: OciSeccomp = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  architectures: ['SCMP_ARCH_X86_64'],
  syscalls: [
    { names: ['read', 'clone', 'clone3', 'unshare', 'mount', 'keyctl', 'reboot', 'write'], action: 'SCMP_ACT_ALLOW' },
    { names: ['setns'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
  ],
};

const allowed = (s: OciSeccomp) => s.syscalls.filter((c) => c.action === 'SCMP_ACT_ALLOW' && !c.args).flatMap((c) => c.names);

test('without CAP_SYS_ADMIN: namespaces, mounts and the keyring get EPERM; clone only without namespace flags; clone3 ENOSYS', () => {
  const s = restrictAsDocker(podmanLike, DEFAULT_CAPABILITIES);
  assert.deepEqual(allowed(s), ['read', 'write']);
  const eperm = s.syscalls.find((c) => c.action === 'SCMP_ACT_ERRNO' && c.errnoRet === 1 && !c.args && c.names.includes('unshare'))!;
  for (const n of [...SYS_ADMIN_CALLS, ...KEYRING_CALLS, 'reboot']) assert.ok(eperm.names.includes(n), n);
  assert.ok(!eperm.names.includes('clone'));
  const clone = s.syscalls.filter((c) => c.names.includes('clone'));
  assert.deepEqual(clone[0], { names: ['clone'], action: 'SCMP_ACT_ALLOW',
    args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] });
  const newuser = clone.find((c) => c.action === 'SCMP_ACT_ERRNO' && c.args?.[0]?.value === 0x10000000)!;
  assert.deepEqual(newuser.args, [{ index: 0, value: 0x10000000, valueTwo: 0x10000000, op: 'SCMP_CMP_MASKED_EQ' }]);
  assert.equal(newuser.errnoRet, 1);
  assert.equal(clone.filter((c) => c.action === 'SCMP_ACT_ERRNO').reduce((m, c) => m | c.args![0]!.value, 0), CLONE_NAMESPACE_FLAGS);
  assert.deepEqual(s.syscalls.find((c) => c.names.includes('clone3')), { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
  assert.ok(s.syscalls.some((c) => c.names.includes('setns') && c.action === 'SCMP_ACT_ERRNO'), 'existing deny rules stay');
  assert.equal(s.defaultErrnoRet, 38);
});

test('with CAP_SYS_ADMIN and CAP_SYS_BOOT: namespaces, mounts and reboot stay allowed; the keyring never is', () => {
  const s = restrictAsDocker(podmanLike, [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT']);
  assert.deepEqual(allowed(s), ['read', 'clone', 'clone3', 'unshare', 'mount', 'reboot', 'write']);
  assert.deepEqual(s.syscalls.at(-1), { names: [...KEYRING_CALLS], action: 'SCMP_ACT_ERRNO', errnoRet: 1 });
  assert.ok(!s.syscalls.some((c) => c.args !== undefined && c.names.includes('clone')));
});

test('pure: the input filter is untouched', () => {
  const before = JSON.stringify(podmanLike);
  restrictAsDocker(podmanLike, DEFAULT_CAPABILITIES);
  assert.equal(JSON.stringify(podmanLike), before);
});
