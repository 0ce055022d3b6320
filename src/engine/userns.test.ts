import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseRange, containerIds, hostIdOf, hostIds, parseIdMap, parseSubordinateIds, planUserns } from './userns.js';

test('parseSubordinateIds reads the lines of one user, by name or uid, and skips bad ones', () => {
  const text = 'alice:100000:65536\ncontainers:300000:1000\n# comment\ncontainers:200000:65536\ncontainers:x:1\n999:500000:10\ncontainers:1:0\n';
  assert.deepEqual(parseSubordinateIds(text, 'containers'), [{ start: 200000, size: 65536 }, { start: 300000, size: 1000 }]);
  assert.deepEqual(parseSubordinateIds(text, 'bob', 999), [{ start: 500000, size: 10 }]);
  assert.deepEqual(parseSubordinateIds('', 'containers'), []);
});

test("chooseRange takes the lowest free start that fits, across the user's ranges", () => {
  const avail = [{ start: 1000, size: 100 }, { start: 5000, size: 1000 }];
  assert.equal(chooseRange(avail, [], 50), 1000);
  assert.equal(chooseRange(avail, [{ start: 1000, size: 50 }], 50), 1050);
  assert.equal(chooseRange(avail, [{ start: 1000, size: 60 }], 50), 5000, 'the rest of the first range is too small');
  assert.equal(chooseRange(avail, [{ start: 5100, size: 10 }, { start: 1000, size: 100 }], 100), 5000, 'a gap before a taken range');
  assert.equal(chooseRange(avail, [{ start: 5050, size: 10 }, { start: 1000, size: 100 }], 100), 5060);
  assert.equal(chooseRange(avail, [], 2000), undefined);
  assert.equal(chooseRange(avail, [{ start: 0, size: 10000 }], 1), undefined);
});

test("planUserns: Podman's spellings", () => {
  assert.deepEqual(planUserns(undefined), { kind: 'host' });
  assert.deepEqual(planUserns({ mode: 'host', uidmap: [], gidmap: [] }), { kind: 'host' });
  assert.deepEqual(planUserns({ mode: '', uidmap: [], gidmap: [] }), { kind: 'host' }, "Docker's API sends an empty UsernsMode");
  assert.deepEqual(planUserns({ mode: 'auto', uidmap: [], gidmap: [] }), { kind: 'auto', size: 65536 });
  assert.deepEqual(planUserns({ mode: 'auto:size=2048', uidmap: [], gidmap: [] }), { kind: 'auto', size: 2048 });
  assert.throws(() => planUserns({ mode: 'auto:size=0', uidmap: [], gidmap: [] }), /1 or more/);
  const both = planUserns({ uidmap: ['0:100000:10'], gidmap: ['0:200000:20'] });
  assert.deepEqual(both, {
    kind: 'map',
    spec: { mode: 'map', uidMap: [{ containerID: 0, hostID: 100000, size: 10 }], gidMap: [{ containerID: 0, hostID: 200000, size: 20 }] },
  });
  const onlyGid = planUserns({ uidmap: [], gidmap: ['0:200000:20'] });
  assert.equal(onlyGid.kind, 'map');
  if (onlyGid.kind === 'map') assert.deepEqual(onlyGid.spec.uidMap, onlyGid.spec.gidMap);
});

test('parseIdMap refuses what the kernel would', () => {
  assert.deepEqual(parseIdMap('1:2:3', '--uidmap'), { containerID: 1, hostID: 2, size: 3 });
  for (const bad of ['1:2', '1:2:3:4', '-1:2:3', '1:2:x', '0:4294967295:2', '1:2: 3', '']) assert.throws(() => parseIdMap(bad, '--uidmap'), /--uidmap/, bad);
});

test('hostIdOf finds an id in the maps, or nothing', () => {
  const maps = [{ containerID: 0, hostID: 100000, size: 1000 }, { containerID: 5000, hostID: 7, size: 1 }];
  assert.equal(hostIdOf(maps, 0), 100000);
  assert.equal(hostIdOf(maps, 999), 100999);
  assert.equal(hostIdOf(maps, 5000), 7);
  assert.equal(hostIdOf(maps, 1000), undefined);
});

test('containerIds maps host ids back into the container, and keeps ids outside the maps', () => {
  const back = containerIds({ mode: 'auto', uidMap: [{ containerID: 0, hostID: 100000, size: 65536 }],
    gidMap: [{ containerID: 0, hostID: 300000, size: 10 }] })!;
  assert.equal(back(100000, 'uid'), 0);
  assert.equal(back(101000, 'uid'), 1000);
  assert.equal(back(0, 'uid'), 0, 'a layer file seen without its idmap');
  assert.equal(back(300009, 'gid'), 9);
  assert.equal(back(100000, 'gid'), 100000);
  assert.equal(containerIds(undefined), undefined);
});

test('hostIds maps container ids onto the host, and an unmapped one to the overflow id', () => {
  const to = hostIds({ mode: 'map', uidMap: [{ containerID: 0, hostID: 100000, size: 10 }], gidMap: [{ containerID: 0, hostID: 200000, size: 10 }] })!;
  assert.equal(to(0, 'uid'), 100000);
  assert.equal(to(9, 'gid'), 200009);
  assert.equal(to(10, 'uid'), 65534);
  assert.equal(hostIds(undefined), undefined);
});
