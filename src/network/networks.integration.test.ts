// Network records and bridges together: bad input leaves nothing behind.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isBerthError } from '../common/errors.js';
import {
  createNetwork,
  ensureDefaultNetwork,
  getNetwork,
  inspectNetwork,
  listNetworks,
  pruneNetworks,
  removeNetwork,
} from './networks.js';
import { planEndpoints, publishPorts, releaseContainerNetwork, setUpContainerNetwork, containerEndpoints } from './attach.js';
import { linkExists } from './kernel.js';
import { start } from '../sys/exec.js';
import { listBerthKernelObjects } from './leak.js';
import { addContainer, suffix, tempRoot } from '../../test/network-kit.js';
import type { TestRoot } from '../../test/network-kit.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isBerthError(e), `not a BerthError: ${String(e)}`);
    return e.code;
  }
  assert.fail('expected an error');
}

describe('networks', () => {
  let root: TestRoot;
  const sfx = suffix();
  const before0 = new Set<string>();

  before(() => {
    root = tempRoot(['10.216.0.0/16']);
    for (const l of listBerthKernelObjects().links) before0.add(l);
  });
  after(() => {
    for (const n of listNetworks(root.ctx)) removeNetwork(root.ctx, n.name, { force: true });
    root.cleanup();
  });

  const newLinks = () => listBerthKernelObjects().links.filter((l) => !before0.has(l));

  test('create picks a free /24 from the pool, makes the bridge, lists and inspects', () => {
    const n = createNetwork(root.ctx, { name: `n1-${sfx}`, labels: { team: 'a' } });
    assert.equal(n.subnet, '10.216.0.0/24');
    assert.equal(n.gateway, '10.216.0.1');
    assert.match(n.bridge, /^berth-[0-9a-f]{8}$/);
    assert.ok(linkExists(n.bridge));
    const addr = listBerthKernelObjects();
    assert.ok(addr.links.includes(n.bridge));
    const n2 = createNetwork(root.ctx, { name: `n2-${sfx}`, subnet: '10.216.7.0/24', gateway: '10.216.7.254', ipRange: '10.216.7.128/25' });
    assert.equal(n2.gateway, '10.216.7.254');
    const n3 = createNetwork(root.ctx, { name: `n3-${sfx}` });
    assert.equal(n3.subnet, '10.216.1.0/24', 'the next free block');
    assert.deepEqual(listNetworks(root.ctx).map((x) => x.name), [`n1-${sfx}`, `n2-${sfx}`, `n3-${sfx}`]);
    const doc = inspectNetwork(root.ctx, n2.id.slice(0, 10)) as { Name: string; IPAM: { Config: unknown[] }; Labels: unknown };
    assert.equal(doc.Name, `n2-${sfx}`);
    assert.deepEqual(doc.IPAM.Config, [{ Subnet: '10.216.7.0/24', Gateway: '10.216.7.254', IPRange: '10.216.7.128/25' }]);
    assert.deepEqual((inspectNetwork(root.ctx, n.name) as { Labels: unknown }).Labels, { team: 'a' });
  });

  test('bad input: one clear error, nothing half made', () => {
    const links = newLinks().length;
    const count = listNetworks(root.ctx).length;
    assert.equal(codeOf(() => createNetwork(root.ctx, { name: `n1-${sfx}` })), 'network.exists');
    assert.equal(codeOf(() => createNetwork(root.ctx, { name: `x-${sfx}`, subnet: '10.216.0.128/25' })), 'network.subnet_overlap');
    assert.equal(codeOf(() => createNetwork(root.ctx, { name: `x-${sfx}`, subnet: '10.216.9.0/24', gateway: '10.216.10.1' })), 'network.gateway_outside');
    assert.equal(codeOf(() => createNetwork(root.ctx, { name: `x-${sfx}`, subnet: '10.216.9.0/33' })), 'network.bad_cidr');
    assert.equal(codeOf(() => createNetwork(root.ctx, { name: `x-${sfx}`, subnet: 'banana' })), 'network.bad_cidr');
    assert.equal(codeOf(() => createNetwork(root.ctx, { name: `x-${sfx}`, subnet: '10.216.9.0/24', ipRange: '10.216.8.0/25' })), 'network.range_outside');
    assert.equal(codeOf(() => createNetwork(root.ctx, { name: 'bad name!' })), 'network.bad_name');
    assert.equal(codeOf(() => createNetwork(root.ctx, { name: 'host' })), 'network.reserved_name');
    // The host's own routes are never reused (192.0.2.0/24 or whatever the host has on eth0).
    assert.equal(codeOf(() => createNetwork(root.ctx, { name: `x-${sfx}`, subnet: '0.0.0.0/8' })), 'network.bad_cidr');
    assert.equal(codeOf(() => getNetwork(root.ctx, `nope-${sfx}`)), 'network.not_found');
    assert.equal(codeOf(() => removeNetwork(root.ctx, `nope-${sfx}`)), 'network.not_found');
    assert.equal(newLinks().length, links, 'no bridge left by a failed create');
    assert.equal(listNetworks(root.ctx).length, count);
  });

  test('endpoints: unknown network, static address outside or taken, duplicate attach', () => {
    const c = addContainer(root, `e1-${sfx}`);
    const d = addContainer(root, `e2-${sfx}`);
    assert.equal(codeOf(() => planEndpoints(root.ctx, c, [{ network: `nope-${sfx}` }])), 'network.not_found');
    assert.equal(codeOf(() => planEndpoints(root.ctx, c, [{ network: `n2-${sfx}`, ip: '10.216.8.5' }])), 'network.address_outside');
    assert.equal(codeOf(() => planEndpoints(root.ctx, c, [{ network: `n2-${sfx}`, ip: '10.216.7.254' }])), 'network.address_reserved');
    planEndpoints(root.ctx, c, [{ network: `n2-${sfx}`, ip: '10.216.7.130' }, { network: `n1-${sfx}` }]);
    assert.deepEqual(containerEndpoints(root.ctx, c).map((e) => [e.ifname, e.ip]), [['eth0', '10.216.7.130'], ['eth1', null]]);
    assert.equal(codeOf(() => planEndpoints(root.ctx, d, [{ network: `n1-${sfx}` }, { network: `n2-${sfx}`, ip: '10.216.7.130' }])), 'network.address_in_use');
    assert.deepEqual(containerEndpoints(root.ctx, d), [], 'all or nothing');
    assert.equal(codeOf(() => planEndpoints(root.ctx, c, [{ network: `n1-${sfx}` }])), 'network.already_connected');
  });

  test('ports: a port published twice or bound by another program is refused', async () => {
    const c = addContainer(root, `p1-${sfx}`);
    const d = addContainer(root, `p2-${sfx}`);
    const [b] = publishPorts(root.ctx, c, ['127.0.0.1::80']);
    assert.ok(b && b.hostPort >= 32768 && b.hostIp === '127.0.0.1');
    assert.equal(codeOf(() => publishPorts(root.ctx, d, [`${b.hostPort}:80`])), 'port.in_use');
    // The same number in UDP is another port.
    assert.equal(publishPorts(root.ctx, d, [`${b.hostPort}:53/udp`]).length, 1);
    const net = await import('node:net');
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const taken = (srv.address() as { port: number }).port;
      assert.equal(codeOf(() => publishPorts(root.ctx, d, ['8000:8000', `${taken}:80`])), 'port.in_use');
      assert.equal(root.ctx.store.portsOf(d).length, 1, 'all or nothing');
    } finally {
      srv.close();
    }
    const all = publishPorts(root.ctx, d, [], ['80/tcp', '443']);
    assert.deepEqual(all.map((p) => p.containerPort), [80, 443]);
    assert.equal(codeOf(() => publishPorts(root.ctx, d, ['80:80/sctp'])), 'port.bad_spec');
  });

  test('rm is refused while a container (even stopped) is attached; -f disconnects; prune keeps used ones', async () => {
    const c = addContainer(root, `r1-${sfx}`);
    planEndpoints(root.ctx, c, [{ network: `n3-${sfx}` }]);
    assert.equal(codeOf(() => removeNetwork(root.ctx, `n3-${sfx}`)), 'network.in_use');
    const pruned = pruneNetworks(root.ctx);
    assert.ok(!pruned.includes(`n3-${sfx}`));
    assert.ok(!pruned.includes(`n1-${sfx}`), 'n1 has endpoints from an earlier test');
    // Force with a running container: its veth goes, the namespace stays for the engine.
    await setUpContainerNetwork(root.ctx, c, { hostname: 'r1', name: `r1-${sfx}` });
    const bridge = getNetwork(root.ctx, `n3-${sfx}`).bridge;
    removeNetwork(root.ctx, `n3-${sfx}`, { force: true });
    assert.ok(!linkExists(bridge));
    assert.deepEqual(containerEndpoints(root.ctx, c), []);
    releaseContainerNetwork(root.ctx, c);
    const p = createNetwork(root.ctx, { name: `unused-${sfx}` });
    assert.ok(pruneNetworks(root.ctx).includes(`unused-${sfx}`));
    assert.ok(!linkExists(p.bridge));
  });

  test('the default network is created once, on its own bridge name', () => {
    const ctx = { ...root.ctx, defaultBridge: `berthd${sfx}` };
    const a = ensureDefaultNetwork(ctx);
    const b = ensureDefaultNetwork(ctx);
    assert.equal(a.id, b.id);
    assert.equal(a.name, 'berth');
    assert.equal(a.bridge, `berthd${sfx}`);
    assert.ok(linkExists(a.bridge));
  });

  test('a second root whose default bridge name is taken gets a bridge of its own', () => {
    const other = tempRoot(['10.218.0.0/16']);
    try {
      const ctx = { ...other.ctx, defaultBridge: `berthd${sfx}` };
      const b = ensureDefaultNetwork(ctx);
      assert.match(b.bridge, /^berth-[0-9a-f]{8}$/);
      assert.ok(linkExists(b.bridge));
      removeNetwork(ctx, 'berth');
      assert.ok(!linkExists(b.bridge));
      assert.ok(linkExists(`berthd${sfx}`), "the first root's bridge is untouched");
    } finally {
      other.cleanup();
    }
  });

  test('roots creating networks at the same moment never share a subnet', async () => {
    const roots = [0, 1, 2, 3].map(() => tempRoot(['10.219.0.0/16']));
    try {
      const script = `import { createNetwork } from ${JSON.stringify(new URL('./networks.js', import.meta.url).href)};
        import { openDb } from ${JSON.stringify(new URL('../state/db.js', import.meta.url).href)};
        import { networkStore } from ${JSON.stringify(new URL('../state/network-store.js', import.meta.url).href)};
        const [root, runroot, name] = process.argv.slice(1);
        const n = createNetwork({ store: networkStore(openDb(root)), paths: { root, runroot }, pools: ['10.219.0.0/16'] }, { name });
        process.stdout.write(n.subnet);`;
      const kids = roots.map((r) =>
        start(process.execPath, ['--input-type=module', '-e', script, r.ctx.paths.root, r.ctx.paths.runroot, `race-${sfx}`], {
          stdio: ['ignore', 'pipe', 'inherit'],
        })
      );
      const subnets = await Promise.all(kids.map((k) =>
        new Promise<string>((res) => {
          let out = '';
          k.stdout!.on('data', (d: Buffer) => {
            out += d.toString();
          });
          k.on('exit', () => res(out));
        })
      ));
      assert.equal(new Set(subnets).size, 4, subnets.join(' '));
      assert.ok(subnets.every((x) => x.startsWith('10.219.')), subnets.join(' '));
    } finally {
      for (const r of roots) {
        for (const n of listNetworks(r.ctx)) removeNetwork(r.ctx, n.name);
        r.cleanup();
      }
    }
  });
});
