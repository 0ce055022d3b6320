// Last test of the suite: nothing berth made during the tests may remain on the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { snapshot, leaked, type HostObjects } from './leak.js';

test('no berth mount, namespace, link, nftables table, cgroup or conmon is left behind', async () => {
  const path = process.env.BERTH_LEAK_BASELINE;
  const before: HostObjects = path ? JSON.parse(readFileSync(path, 'utf8')) as HostObjects
    : { mounts: [], netns: [], links: [], nft: [], nftChains: [], cgroups: [], conmon: [], healthRunners: [], dns: [], rootless: [] };
  // conmon's exit callbacks may still be finishing the last test's cleanup.
  let extra = leaked(before, snapshot());
  for (let i = 0; i < 50 && Object.keys(extra).length > 0; i++) {
    await new Promise((r) => setTimeout(r, 200));
    extra = leaked(before, snapshot());
  }
  assert.deepEqual(extra, {}, `left behind: ${JSON.stringify(extra, null, 2)}`);
});
