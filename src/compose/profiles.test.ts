import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyProfiles } from './profiles.js';

const tree = {
  services: { app: { depends_on: { db: {} } }, db: {}, admin: { profiles: ['debug'] }, mail: { profiles: ['mail', 'debug'] },
    x: { profiles: ['x'], depends_on: { admin: { required: false } } } },
};
const names = (o: Parameters<typeof applyProfiles>[1]) => Object.keys(applyProfiles(tree, o, 'c.yaml').services as object);

test('services with profiles run only when one is active, or when named', () => {
  assert.deepEqual(names({ active: [] }), ['app', 'db']);
  assert.deepEqual(names({ active: ['debug'] }), ['app', 'db', 'admin', 'mail']);
  assert.deepEqual(names({ active: ['*'] }), ['app', 'db', 'admin', 'mail', 'x']);
  // Naming x turns on its profile; its dependency on admin is not required.
  assert.deepEqual(names({ active: [], targets: ['x'] }), ['app', 'db', 'x']);
});

test('a required dependency on a service that is off is an error naming its profiles', () => {
  const t = { services: { web: { depends_on: { admin: { condition: 'service_started' } } }, admin: { profiles: ['debug'] } } };
  assert.throws(() => applyProfiles(t, { active: [] }, 'c.yaml'),
    /c\.yaml: services\.web\.depends_on\.admin: service admin is not enabled: its profiles \(debug\) are not active/);
});
