import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_CAPABILITIES, capabilityMask, effectiveCapabilities, capabilitiesInMask, normalizeCapability } from './caps.js';
import { DEFAULT_CAPABILITIES } from './spec.js';

test("Docker's default set is the kernel mask 00000000a80425fb", () => {
  assert.equal(capabilityMask(DEFAULT_CAPABILITIES), '00000000a80425fb');
  assert.equal(capabilityMask(ALL_CAPABILITIES), '000001ffffffffff');
  assert.equal(capabilityMask([]), '0000000000000000');
});

test('names with or without CAP_, in any case; ALL; unknown names are undefined', () => {
  assert.equal(normalizeCapability('net_admin'), 'CAP_NET_ADMIN');
  assert.equal(normalizeCapability('CAP_SYS_TIME'), 'CAP_SYS_TIME');
  assert.equal(normalizeCapability('Cap_Kill'), 'CAP_KILL');
  assert.equal(normalizeCapability('all'), 'ALL');
  assert.equal(normalizeCapability('NET_ADMINX'), undefined);
  assert.equal(normalizeCapability('CAP_'), undefined);
  assert.equal(normalizeCapability(''), undefined);
});

test('add and drop on the default set, without duplicates', () => {
  const r = effectiveCapabilities({ add: ['CAP_NET_ADMIN', 'CAP_CHOWN'], drop: ['CAP_NET_RAW'], privileged: false });
  assert.deepEqual(r, [...DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_NET_RAW'), 'CAP_NET_ADMIN']);
  assert.deepEqual(effectiveCapabilities({ add: [], drop: [], privileged: false }), [...DEFAULT_CAPABILITIES]);
});

test('drop ALL keeps only the added; add ALL gives all but the dropped; privileged gives what the kernel knows', () => {
  assert.deepEqual(effectiveCapabilities({ add: ['CAP_KILL'], drop: ['ALL'], privileged: false }), ['CAP_KILL']);
  assert.deepEqual(effectiveCapabilities({ add: [], drop: ['ALL'], privileged: false }), []);
  const all = effectiveCapabilities({ add: ['ALL'], drop: ['CAP_SYS_ADMIN'], privileged: false });
  assert.equal(all.length, ALL_CAPABILITIES.length - 1);
  assert.ok(!all.includes('CAP_SYS_ADMIN'));
  const available = capabilitiesInMask('000001fffeffffff');
  assert.equal(available.length, ALL_CAPABILITIES.length - 1);
  assert.ok(!available.includes('CAP_SYS_RESOURCE'), 'bit 24 is cleared in that mask');
  assert.deepEqual(effectiveCapabilities({ add: [], drop: ['ALL'], privileged: true, available }), available);
  assert.deepEqual(capabilitiesInMask('00000000a80425fb'), [...DEFAULT_CAPABILITIES].sort((a, b) => ALL_CAPABILITIES.indexOf(a) - ALL_CAPABILITIES.indexOf(b)));
});
