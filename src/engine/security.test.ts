import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBerthError } from '../common/errors.js';
import { securityAtStart, securitySpec, withSecurity } from './security.js';
import { DEFAULT_CAPABILITIES } from '../runtime/spec.js';

test('defaults only: no security in the record', () => {
  assert.equal(securitySpec(undefined), undefined);
  assert.equal(securitySpec({}), undefined);
  assert.equal(securitySpec({ noNewPrivileges: false, capAdd: [] }), undefined);
});

test('capability names normalized; an unknown one is one line and exit 125', () => {
  const s = securitySpec({ capAdd: ['net_admin', 'Cap_Sys_Time'], capDrop: ['all'] })!;
  assert.deepEqual([s.capAdd, s.capDrop], [['CAP_NET_ADMIN', 'CAP_SYS_TIME'], ['ALL']]);
  assert.throws(() => securitySpec({ capDrop: ['NET_BOGUS'] }),
    (e: unknown) => isBerthError(e) && e.exitCode === 125 && /invalid --cap-drop "NET_BOGUS": unknown capability/.test(e.message));
});

test('a profile is parsed at create; a broken one is refused then', () => {
  const s = securitySpec({ seccomp: { source: 'p.json', text: '{"defaultAction":"SCMP_ACT_ALLOW"}' } })!;
  assert.deepEqual(s.seccomp, { source: 'p.json', profile: { defaultAction: 'SCMP_ACT_ALLOW' } });
  assert.throws(() => securitySpec({ seccomp: { source: 'p.json', text: 'nope' } }), /seccomp profile p.json: not JSON/);
});

test('at start: default caps and a filter; unconfined and privileged have none; a user profile as written', () => {
  const plain = securityAtStart(undefined, '/nonexistent');
  assert.deepEqual(plain.spec.security.capabilities, [...DEFAULT_CAPABILITIES]);
  assert.equal(plain.spec.security.noNewPrivileges, false);
  assert.equal(securityAtStart(securitySpec({ seccomp: 'unconfined' }), '/nonexistent').spec.seccomp, null);
  const priv = securityAtStart(securitySpec({ privileged: true }), '/nonexistent');
  assert.equal(priv.spec.seccomp, null);
  assert.ok(priv.spec.security.capabilities!.includes('CAP_SYS_ADMIN'));
  assert.ok(priv.spec.security.devices!.some((d) => d.path === '/dev/null'));
  const own = securityAtStart(
    securitySpec({ seccomp: { source: 'p', text: '{"defaultAction":"SCMP_ACT_LOG","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}' } }),
    '/x',
  );
  assert.deepEqual(own.spec.seccomp, { defaultAction: 'SCMP_ACT_LOG', architectures: [], syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] });
  assert.deepEqual(securityAtStart(securitySpec({ groupAdd: ['7', '9'] }), '/nonexistent').additionalGids, [7, 9]);
  assert.throws(() => securityAtStart(securitySpec({ groupAdd: ['wheel'] }), '/nonexistent'), /unable to find group wheel/);
});

test('a tmpfs where a volume goes is a duplicate mount point; defaults add nothing to the record', () => {
  assert.deepEqual(withSecurity({ volumes: [] }), {});
  const vol = { source: '/h', destination: '/data/', readonly: false };
  assert.throws(() => withSecurity({ volumes: [vol], security: { tmpfs: [{ destination: '/data', options: [] }] } }),
    (e: unknown) => isBerthError(e) && e.exitCode === 125 && /duplicate mount point: \/data/.test(e.message));
  assert.throws(() => withSecurity({ volumes: [], security: { tmpfs: [{ destination: '/t', options: [] }, { destination: '/t/', options: [] }] } }),
    /duplicate mount point: \/t/);
  assert.deepEqual(withSecurity({ volumes: [vol], security: { tmpfs: [{ destination: '/run', options: [] }] } }).security?.tmpfs, [{ destination: '/run',
    options: [] }]);
});
