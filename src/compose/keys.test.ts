import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkKeys, scanKeys } from './keys.js';

test('one scan names every refused key, unknown key and swarm key', () => {
  const s = scanKeys({
    services: {
      web: { image: 'x', build: '.', attach: false, cgroup: 'host', imagee: 'y', 'x-note': 1,
        deploy: { placement: {}, replicas: 1, resources: { reservations: { devices: [] } } } },
    },
    secrets: {},
    models: {},
    networks: { n: { attachable: true, driver_opts: {} } },
    'x-top': 1,
  });
  assert.deepEqual(s.refused, ['models', 'services.web.attach', 'services.web.cgroup', 'services.web.deploy.resources.reservations.devices',
    'networks.n.driver_opts']);
  assert.deepEqual(s.unknown, ['services.web.imagee']);
  assert.deepEqual(s.warnings, ['services.web.deploy.placement: ignored: a swarm key, with no meaning on one machine',
    'networks.n.attachable: ignored: a swarm key, with no meaning on one machine']);
});

test('checkKeys refuses unknown keys first, then unsupported ones, in one line', () => {
  assert.throws(() => checkKeys({ services: { web: { imagee: 'x', build: '.' } } }, 'c.yaml'),
    /^Error: c\.yaml: services\.web\.imagee: not a key of the compose-spec$|c\.yaml: services\.web\.imagee: not a key of the compose-spec/);
  assert.throws(() => checkKeys({ services: { a: { build: '.', attach: false }, b: { cgroup: 'host' } } }, 'c.yaml'),
    /c\.yaml: services\.a\.attach, services\.b\.cgroup: not supported by berth/);
  assert.deepEqual(checkKeys({ services: { a: { image: 'x', deploy: { update_config: {} } } } }, 'c.yaml'), [
    'services.a.deploy.update_config: ignored: a swarm key, with no meaning on one machine',
  ]);
});
