import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SECCOMP_PATH, loadDefaultSeccomp, resolveProfile, X86_64, type SeccompProfile } from './seccomp.js';
import { DEFAULT_CAPABILITIES } from './spec.js';
import { isBerthError } from '../common/errors.js';

const profile: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW', args: [], includes: {}, excludes: {} },
    { names: ['chroot'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_CHROOT'] } },
    { names: ['chroot'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_CHROOT'] } },
    { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
    { names: ['arm_fadvise64_64'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm', 'arm64'] } },
    { names: ['newsyscall'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '99.0' } },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
    { names: ['notonx86'], action: 'SCMP_ACT_ALLOW', excludes: { arches: ['amd64'] } },
    { names: ['both'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_CHROOT', 'CAP_SYS_ADMIN'] } },
    { names: ['nullargs'], action: 'SCMP_ACT_ALLOW', args: null, includes: null, excludes: null },
  ],
};

const target = { ...X86_64, capabilities: DEFAULT_CAPABILITIES, kernel: '6.1.0' };
const names = (s: ReturnType<typeof resolveProfile>) => s.syscalls.flatMap((c) => c.names);

test('x86_64 and its sub-architectures, default action and errno kept', () => {
  const s = resolveProfile(profile, target);
  assert.deepEqual(s.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.equal(s.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(s.defaultErrnoRet, 38);
});

test('includes and excludes by capability: granted caps allow, missing caps deny', () => {
  const s = resolveProfile(profile, target);
  const chroot = s.syscalls.filter((c) => c.names.includes('chroot'));
  assert.deepEqual(chroot, [{ names: ['chroot'], action: 'SCMP_ACT_ALLOW' }]);
  assert.ok(!names(s).includes('mount'), 'CAP_SYS_ADMIN is not granted by default');
  assert.ok(!names(s).includes('both'), 'every included cap is needed');
  const noChroot = resolveProfile(profile, { ...target, capabilities: DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_SYS_CHROOT') });
  assert.deepEqual(noChroot.syscalls.filter((c) => c.names.includes('chroot')), [{ names: ['chroot'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }]);
});

test('includes and excludes by arch and kernel', () => {
  const n = names(resolveProfile(profile, target));
  assert.ok(n.includes('arch_prctl'));
  assert.ok(!n.includes('arm_fadvise64_64'));
  assert.ok(!n.includes('notonx86'));
  assert.ok(!n.includes('newsyscall'));
  assert.ok(names(resolveProfile(profile, { ...target, kernel: '100.1' })).includes('newsyscall'));
});

test('args kept with valueTwo filled in; null args and filters tolerated', () => {
  const s = resolveProfile(profile, target);
  assert.deepEqual(s.syscalls.find((c) => c.names.includes('personality'))?.args, [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }]);
  assert.deepEqual(s.syscalls.find((c) => c.names.includes('nullargs')), { names: ['nullargs'], action: 'SCMP_ACT_ALLOW' });
  assert.deepEqual(s.syscalls.find((c) => c.names.includes('read')), { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' });
});

test('absent profile file: null and a debug note', () => {
  const notes: string[] = [];
  assert.equal(loadDefaultSeccomp({ path: '/nonexistent/berth-seccomp.json', debug: (n) => notes.push(n) }), null);
  assert.equal(notes.length, 1);
  assert.match(notes[0] ?? '', /without a seccomp filter/);
});

test('a corrupt profile is a Corrupt error naming the file', () => {
  const dir = mkdtempSync('/tmp/berth-seccomp-');
  try {
    const p = join(dir, 'seccomp.json');
    writeFileSync(p, '{ nope');
    assert.throws(() => loadDefaultSeccomp({ path: p }), (e) => isBerthError(e) && e.kind === 'Corrupt' && e.message.includes(p));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the installed containers-common profile resolves to a usable x86_64 filter', {
  skip: !existsSync(DEFAULT_SECCOMP_PATH) && 'no containers-common profile',
}, () => {
  const s = loadDefaultSeccomp();
  assert.ok(s);
  assert.equal(s.defaultAction, 'SCMP_ACT_ERRNO');
  assert.ok(s.architectures.includes('SCMP_ARCH_X86_64'));
  const n = names(s);
  for (const must of ['read', 'write', 'execve', 'clone', 'chroot', 'arch_prctl']) assert.ok(n.includes(must), must);
  // Allowed only with CAP_SYS_ADMIN or CAP_SYS_MODULE, which containers do not get by default.
  const allowed = s.syscalls.filter((c) => c.action === 'SCMP_ACT_ALLOW').flatMap((c) => c.names);
  for (const never of ['bpf', 'init_module', 'kexec_load']) assert.ok(!allowed.includes(never), never);
  const denied = s.syscalls.filter((c) => c.action === 'SCMP_ACT_ERRNO').flatMap((c) => c.names);
  assert.ok(denied.includes('bpf'));
  for (const c of s.syscalls) assert.ok(c.names.length > 0);
});

test("parseSeccompProfile: Docker's format accepted; what runc would refuse is one clear InvalidArgument", async () => {
  const { parseSeccompProfile } = await import('./seccomp.js');
  const good = { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, architectures: ['SCMP_ARCH_X86_64'],
    syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { name: 'chmod', action: 'SCMP_ACT_ERRNO', errnoRet: 1,
      args: [{ index: 1, value: 2048, valueTwo: 2048, op: 'SCMP_CMP_MASKED_EQ' }] }] };
  assert.deepEqual(parseSeccompProfile(JSON.stringify(good), 'p.json'), good);
  const cases: [string, RegExp][] = [
    ['{', /seccomp profile p.json: not JSON/],
    ['[]', /expected a JSON object/],
    ['{"defaultAction":"ALLOW"}', /unknown defaultAction "ALLOW"/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":{}}', /syscalls must be a list/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_Z80"]}', /unknown architecture "SCMP_ARCH_Z80"/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["x86"]}]}', /unknown architecture "x86"/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ALLOW"}]}', /syscalls\[0\] has no names/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_DENY"}]}', /unknown action "SCMP_ACT_DENY"/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"EQ"}]}]}', /known op/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW","includes":{"caps":"CAP_X"}}]}', /includes must be/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseSeccompProfile(text, 'p.json'), (e: unknown) => isBerthError(e) && e.exitCode === 125 && re.test(e.message), text);
  }
});

test("the installed profile, once restricted, blocks unshare and keyctl for Docker's default set", { skip: !existsSync(DEFAULT_SECCOMP_PATH) }, () => {
  const s = loadDefaultSeccomp()!;
  const allowedPlain = s.syscalls.filter((c) => c.action === 'SCMP_ACT_ALLOW' && !c.args).flatMap((c) => c.names);
  for (const n of ['unshare', 'keyctl', 'mount', 'clone', 'clone3']) assert.ok(!allowedPlain.includes(n), n);
  assert.ok(allowedPlain.includes('read'));
  const admin = loadDefaultSeccomp({ capabilities: [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'] })!;
  assert.ok(admin.syscalls.filter((c) => c.action === 'SCMP_ACT_ALLOW').flatMap((c) => c.names).includes('unshare'));
});
