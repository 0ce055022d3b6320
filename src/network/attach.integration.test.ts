// Real kernel objects: bridges, namespaces standing in for containers, busybox traffic.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { run, start } from '../sys/exec.js';
import { createNetwork, removeNetwork } from './networks.js';
import type { NetworkRecord } from './networks.js';
import {
  planEndpoints,
  makeContainerNetns,
  setUpContainerNetwork,
  tearDownContainerNetwork,
  releaseContainerNetwork,
  publishPorts,
  containerEndpoints,
  connectNetwork,
  disconnectNetwork,
  reconcileNetworks,
} from './attach.js';
import { dnsPid } from './dns.js';
import { listBerthKernelObjects } from './leak.js';
import { hostVethPrefix, netnsName, portChainName } from './names.js';
import { listPortChains } from './nft.js';
import { addContainer, httpd, inNs, suffix, tempRoot, wget } from '../../test/network-kit.js';
import type { TestRoot } from '../../test/network-kit.js';

const ipOf = (root: TestRoot, id: string, net: string) => containerEndpoints(root.ctx, id).find((e) => e.network === net)!.ip!;

function hostMainAddress(): string {
  // A route lookup only; nothing is sent.
  const r = run('ip', ['-4', '-o', 'route', 'get', '192.0.2.123']).stdout;
  const m = / src (\S+)/.exec(r);
  assert.ok(m, r);
  return m[1]!;
}

describe('containers on berth networks', () => {
  const sfx = suffix();
  let root: TestRoot;
  let netA: NetworkRecord;
  let netB: NetworkRecord;
  let netI: NetworkRecord;
  const ids: Record<string, string> = {};
  const servers: Array<{ stop(): void }> = [];
  const outsideNs = `berth-out-${sfx}`;
  const outsideVeth = `berthox${sfx}`;
  let www: string;

  before(async () => {
    root = tempRoot(['10.213.0.0/16']);
    netA = createNetwork(root.ctx, { name: `a-${sfx}` });
    netB = createNetwork(root.ctx, { name: `b-${sfx}` });
    netI = createNetwork(root.ctx, { name: `i-${sfx}`, internal: true });
    for (const n of ['c1', 'c2', 'c3', 'c4', 'c6']) ids[n] = addContainer(root, `${n}-${sfx}`);
    planEndpoints(root.ctx, ids['c1']!, [{ network: netA.name }]);
    planEndpoints(root.ctx, ids['c2']!, [{ network: netA.name, aliases: ['web'] }]);
    planEndpoints(root.ctx, ids['c3']!, [{ network: netB.name }]);
    planEndpoints(root.ctx, ids['c4']!, [{ network: netA.name, aliases: ['web'] }, { network: netB.name }]);
    planEndpoints(root.ctx, ids['c6']!, [{ network: netI.name }]);
    publishPorts(root.ctx, ids['c2']!, ['80']);
    for (const n of Object.keys(ids)) {
      const s = await setUpContainerNetwork(root.ctx, ids[n]!, { hostname: n, name: `${n}-${sfx}` });
      assert.ok(existsSync(s.netnsPath));
    }
    www = join(root.dir, 'www');
    mkdirSync(join(www, 'cgi-bin'), { recursive: true });
    writeFileSync(join(www, 'index.html'), 'hello from berth\n');
    writeFileSync(join(www, 'cgi-bin', 'ip'), '#!/bin/sh\necho "Content-Type: text/plain"\necho\necho "$REMOTE_ADDR"\n');
    chmodSync(join(www, 'cgi-bin', 'ip'), 0o755);
    for (const n of ['c2', 'c3', 'c4', 'c6']) servers.push(await httpd(netnsName(ids[n]!), www));
    // The outside world: a namespace behind a veth of its own, with a documentation address.
    run('ip', ['netns', 'add', outsideNs]);
    run('ip', ['link', 'add', outsideVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', outsideNs]);
    run('ip', ['addr', 'add', '198.51.100.254/24', 'dev', outsideVeth]);
    run('ip', ['link', 'set', outsideVeth, 'up']);
    run('ip', ['-n', outsideNs, 'addr', 'add', '198.51.100.1/24', 'dev', 'eth0']);
    run('ip', ['-n', outsideNs, 'link', 'set', 'eth0', 'up']);
    run('ip', ['-n', outsideNs, 'link', 'set', 'lo', 'up']);
    servers.push(await httpd(outsideNs, www, 8080));
  });

  after(() => {
    for (const s of servers) s.stop();
    run('ip', ['link', 'del', outsideVeth], { allowFail: true });
    run('ip', ['netns', 'del', outsideNs], { allowFail: true });
    for (const id of Object.values(ids)) {
      try {
        releaseContainerNetwork(root.ctx, id);
      } catch { /* reported by the tests */ }
    }
    for (const n of [netA, netB, netI]) {
      try {
        if (n) removeNetwork(root.ctx, n.name, { force: true });
      } catch { /* idem */ }
    }
    root.cleanup();
  });

  test('addresses are distinct, in their subnets, eth0 first', () => {
    const a1 = ipOf(root, ids['c1']!, netA.name);
    const a2 = ipOf(root, ids['c2']!, netA.name);
    assert.notEqual(a1, a2);
    assert.ok(a1.startsWith(netA.subnet.split('.').slice(0, 3).join('.')));
    const eps = containerEndpoints(root.ctx, ids['c4']!);
    assert.deepEqual(eps.map((e) => [e.network, e.ifname]), [[netA.name, 'eth0'], [netB.name, 'eth1']]);
    const link = run('ip', ['-n', netnsName(ids['c4']!), '-o', 'addr', 'show', 'dev', 'eth1']).stdout;
    assert.match(link, new RegExp(` ${eps[1]!.ip!.replace(/\./g, '\\.')}/24 `));
    const route = run('ip', ['-n', netnsName(ids['c4']!), 'route', 'show', 'default']).stdout;
    assert.match(route, new RegExp(`via ${netA.gateway.replace(/\./g, '\\.')} dev eth0`));
  });

  test('two containers on one network talk', () => {
    assert.equal(wget(netnsName(ids['c1']!), `http://${ipOf(root, ids['c2']!, netA.name)}/`), 'hello from berth\n');
  });

  test('containers on different networks do not', () => {
    assert.equal(wget(netnsName(ids['c1']!), `http://${ipOf(root, ids['c3']!, netB.name)}/`), undefined);
    assert.equal(wget(netnsName(ids['c3']!), `http://${ipOf(root, ids['c2']!, netA.name)}/`), undefined);
  });

  test('a container on both networks reaches each', () => {
    assert.equal(wget(netnsName(ids['c4']!), `http://${ipOf(root, ids['c2']!, netA.name)}/`), 'hello from berth\n');
    assert.equal(wget(netnsName(ids['c4']!), `http://${ipOf(root, ids['c3']!, netB.name)}/`), 'hello from berth\n');
  });

  test('a published port answers on 127.0.0.1, on the host address and from another host', () => {
    const port = root.ctx.store.portsOf(ids['c2']!)[0]!.host_port;
    assert.equal(wget(undefined, `http://127.0.0.1:${port}/`), 'hello from berth\n');
    assert.equal(wget(undefined, `http://${hostMainAddress()}:${port}/`), 'hello from berth\n');
    assert.equal(wget(outsideNs, `http://198.51.100.254:${port}/`), 'hello from berth\n');
    // From a container: of the same network (hairpin) and of another one, through the host.
    assert.equal(wget(netnsName(ids['c1']!), `http://${hostMainAddress()}:${port}/`), 'hello from berth\n');
    assert.equal(wget(netnsName(ids['c3']!), `http://${hostMainAddress()}:${port}/`), 'hello from berth\n');
    assert.ok(listPortChains().includes(portChainName(ids['c2']!)));
  });

  test('outbound NAT: the outside sees the host address, not the container', () => {
    const seen = wget(netnsName(ids['c1']!), 'http://198.51.100.1:8080/cgi-bin/ip');
    // busybox httpd reports the peer as an IPv4-mapped address: [::ffff:198.51.100.254].
    assert.match(seen ?? '', /^\[?(::ffff:)?198\.51\.100\.254\]?\n$/);
  });

  test('an internal network has no way out but its members still talk', () => {
    assert.equal(wget(netnsName(ids['c6']!), 'http://198.51.100.1:8080/'), undefined);
    assert.equal(wget(netnsName(ids['c6']!), `http://${ipOf(root, ids['c6']!, netI.name)}/`), 'hello from berth\n');
  });

  test('names and shared aliases resolve through the gateway', async () => {
    const ns1 = netnsName(ids['c1']!);
    const look = (name: string) => inNs(ns1, ['nslookup', '-type=a', name, netA.gateway]).stdout;
    assert.match(look(`c2-${sfx}`), new RegExp(ipOf(root, ids['c2']!, netA.name).replace(/\./g, '\\.')));
    const web = look('web');
    assert.match(web, new RegExp(ipOf(root, ids['c2']!, netA.name).replace(/\./g, '\\.')));
    assert.match(web, new RegExp(ipOf(root, ids['c4']!, netA.name).replace(/\./g, '\\.')));
    const resolv = readFileSync(join(root.ctx.paths.runroot, 'containers', ids['c1']!, 'resolv.conf'), 'utf8');
    assert.equal(resolv, `nameserver ${netA.gateway}\n`);
    // A container started later is resolvable at once.
    const c5 = addContainer(root, `c5-${sfx}`);
    ids['c5'] = c5;
    planEndpoints(root.ctx, c5, [{ network: netA.name, ip: netA.gateway.replace(/\.1$/, '.200') }]);
    await setUpContainerNetwork(root.ctx, c5, { hostname: 'c5', name: `c5-${sfx}` });
    assert.match(look(`c5-${sfx}`), /\.200\b/);
    // Restart: still resolvable, with the static address kept.
    tearDownContainerNetwork(root.ctx, c5);
    assert.equal(containerEndpoints(root.ctx, c5)[0]!.ip, netA.gateway.replace(/\.1$/, '.200'));
    await setUpContainerNetwork(root.ctx, c5, { hostname: 'c5', name: `c5-${sfx}` });
    assert.match(look(`c5-${sfx}`), /\.200\b/);
  });

  test('connect and disconnect a running container', () => {
    const c1 = ids['c1']!;
    const ep = connectNetwork(root.ctx, c1, netB.name, { aliases: ['late'] }, true);
    assert.equal(ep.ifname, 'eth1');
    const resolv = readFileSync(join(root.ctx.paths.runroot, 'containers', c1, 'resolv.conf'), 'utf8');
    assert.equal(resolv, `nameserver ${netA.gateway}\nnameserver ${netB.gateway}\n`);
    assert.equal(wget(netnsName(c1), `http://${ipOf(root, ids['c3']!, netB.name)}/`), 'hello from berth\n');
    disconnectNetwork(root.ctx, c1, netB.name, true);
    assert.equal(wget(netnsName(c1), `http://${ipOf(root, ids['c3']!, netB.name)}/`), undefined);
    assert.deepEqual(containerEndpoints(root.ctx, c1).map((e) => e.network), [netA.name]);
  });

  test('tear-down removes every kernel object and frees dynamic addresses; DNS stops with the last', () => {
    for (const s of servers.splice(0, 4)) s.stop();
    const pid = dnsPid(root.ctx);
    assert.ok(pid !== undefined, 'aardvark-dns runs while containers do');
    for (const id of Object.values(ids)) {
      tearDownContainerNetwork(root.ctx, id);
      tearDownContainerNetwork(root.ctx, id); // idempotent
    }
    const k = listBerthKernelObjects();
    for (const id of Object.values(ids)) {
      assert.ok(!k.netns.includes(netnsName(id)), `netns of ${id} left`);
      assert.ok(!k.links.some((l) => l.startsWith(hostVethPrefix(id))), `veth of ${id} left`);
      assert.ok(!listPortChains().includes(portChainName(id)));
    }
    assert.equal(containerEndpoints(root.ctx, ids['c1']!)[0]!.ip, null);
    assert.equal(dnsPid(root.ctx), undefined);
    assert.ok(!existsSync(`/proc/${pid}/cmdline`) || !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('aardvark'), 'aardvark-dns stopped');
    for (const n of [netA, netB, netI]) {
      assert.throws(() => removeNetwork(root.ctx, n.name), (e: Error & { code?: string }) => e.code === 'network.in_use');
    }
    for (const id of Object.values(ids)) releaseContainerNetwork(root.ctx, id);
    for (const n of [netA, netB, netI]) removeNetwork(root.ctx, n.name);
    const after = listBerthKernelObjects();
    for (const n of [netA, netB, netI]) assert.ok(!after.links.includes(n.bridge), `bridge ${n.bridge} left`);
  });
});

describe('parallel starts', () => {
  test('eight berth processes starting at once get distinct addresses and working interfaces', async () => {
    const root = tempRoot(['10.214.0.0/16']);
    const sfx = suffix();
    after(() => root.cleanup());
    const net = createNetwork(root.ctx, { name: `p-${sfx}` });
    const ids = Array.from({ length: 8 }, (_, i) => addContainer(root, `p${i}-${sfx}`));
    for (const id of ids) planEndpoints(root.ctx, id, [{ network: net.name }]);
    try {
      const script = `import { setUpContainerNetwork } from ${JSON.stringify(new URL('./attach.js', import.meta.url).href)};
        import { openDb } from ${JSON.stringify(new URL('../state/db.js', import.meta.url).href)};
        import { networkStore } from ${JSON.stringify(new URL('../state/network-store.js', import.meta.url).href)};
        const [root, runroot, id] = process.argv.slice(1);
        await setUpContainerNetwork({ store: networkStore(openDb(root)), paths: { root, runroot } }, id, { hostname: 'p', name: id.slice(0, 8) });`;
      const kids = ids.map((id) =>
        start(process.execPath, ['--input-type=module', '-e', script, root.ctx.paths.root, root.ctx.paths.runroot, id], { stdio: 'inherit' })
      );
      const codes = await Promise.all(kids.map((k) => new Promise<number | null>((r) => k.on('exit', r))));
      assert.deepEqual(codes, ids.map(() => 0));
      const ips = ids.map((id) => containerEndpoints(root.ctx, id)[0]!.ip);
      assert.equal(new Set(ips).size, 8, ips.join(' '));
      assert.ok(ips.every((ip) => ip !== null && ip !== net.gateway));
      for (const [i, id] of ids.entries()) {
        const shown = run('ip', ['-n', netnsName(id), '-o', '-4', 'addr', 'show', 'dev', 'eth0']).stdout;
        assert.ok(shown.includes(` ${ips[i]}/`), shown);
      }
      assert.equal(inNs(netnsName(ids[0]!), ['ping', '-c', '1', '-W', '2', ips[7]!]).status, 0);
      assert.ok(dnsPid(root.ctx) !== undefined, 'one DNS server for the root');
    } finally {
      for (const id of ids) releaseContainerNetwork(root.ctx, id);
      removeNetwork(root.ctx, net.name);
    }
    assert.equal(dnsPid(root.ctx), undefined);
  });
});

describe('after a crash', () => {
  test('start over leftovers works, and reconcile removes what a killed start or stop left', async () => {
    const root = tempRoot(['10.217.0.0/16']);
    const sfx = suffix();
    after(() => root.cleanup());
    const net = createNetwork(root.ctx, { name: `k-${sfx}` });
    const id = addContainer(root, `k1-${sfx}`);
    try {
      planEndpoints(root.ctx, id, [{ network: net.name }]);
      publishPorts(root.ctx, id, ['127.0.0.1::80']);
      // A start killed half way: the namespace and a veth exist, nothing else.
      run('ip', ['netns', 'add', netnsName(id)]);
      run('ip', ['link', 'add', `${hostVethPrefix(id)}0`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netnsName(id)]);
      const t0 = Date.now();
      await setUpContainerNetwork(root.ctx, id, { hostname: 'k1', name: `k1-${sfx}` });
      const took = Date.now() - t0;
      assert.ok(took < 3000, `start took ${took} ms`);
      assert.ok(listPortChains().includes(portChainName(id)));
      // kill -9 of everything: no tear-down ran. Reconcile finds it from the records.
      assert.deepEqual(reconcileNetworks(root.ctx, () => false), [id]);
      const k = listBerthKernelObjects();
      assert.ok(!k.netns.includes(netnsName(id)));
      assert.ok(!k.links.some((l) => l.startsWith(hostVethPrefix(id))));
      assert.ok(!listPortChains().includes(portChainName(id)));
      assert.equal(containerEndpoints(root.ctx, id)[0]!.ip, null);
      assert.equal(dnsPid(root.ctx), undefined);
      assert.deepEqual(reconcileNetworks(root.ctx, () => false), [], 'nothing left to do');
      // After a reboot the records remain and the bridge is gone: the next start makes it again.
      run('ip', ['link', 'del', net.bridge]);
      await setUpContainerNetwork(root.ctx, id, { hostname: 'k1', name: `k1-${sfx}` });
      const shown = run('ip', ['-o', '-4', 'addr', 'show', 'dev', net.bridge]).stdout;
      assert.ok(shown.includes(` ${net.gateway}/24 `), shown);
      assert.equal(inNs(netnsName(id), ['ping', '-c', '1', '-W', '2', net.gateway]).status, 0);
      tearDownContainerNetwork(root.ctx, id);
    } finally {
      releaseContainerNetwork(root.ctx, id);
      removeNetwork(root.ctx, net.name);
    }
  });
});

describe('a namespace made first, the rest while the runtime creates', () => {
  test('makeContainerNetns clears leftovers and makes an empty namespace; the rest fills the bound files in place', async () => {
    const root = tempRoot(['10.218.0.0/16']);
    const sfx = suffix();
    after(() => root.cleanup());
    const net = createNetwork(root.ctx, { name: `m-${sfx}` });
    const id = addContainer(root, `m1-${sfx}`);
    try {
      planEndpoints(root.ctx, id, [{ network: net.name }]);
      publishPorts(root.ctx, id, ['127.0.0.1::80']);
      // A start killed half way left a namespace with a veth.
      run('ip', ['netns', 'add', netnsName(id)]);
      run('ip', ['link', 'add', `${hostVethPrefix(id)}0`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netnsName(id)]);
      const ns = makeContainerNetns(root.ctx, id);
      await ns.ready;
      assert.ok(existsSync(ns.path));
      assert.deepEqual(run('ip', ['-n', netnsName(id), '-o', 'link', 'show']).stdout.trim().split('\n').map((l) => l.split(': ')[1]), ['lo'],
        'an empty namespace: the leftover veth is gone');
      assert.ok(!listBerthKernelObjects().links.some((l) => l.startsWith(hostVethPrefix(id))));
      // What the runtime binds before the rest is made: the files must keep their inodes.
      const dir = join(root.ctx.paths.runroot, 'containers', id);
      mkdirSync(dir, { recursive: true });
      for (const f of ['hosts', 'resolv.conf']) writeFileSync(join(dir, f), '');
      const inode = (f: string) => statSync(join(dir, f)).ino;
      const before = [inode('hosts'), inode('resolv.conf')];
      const s = await setUpContainerNetwork(root.ctx, id, { hostname: 'm1', name: `m1-${sfx}`, nsMade: true });
      assert.deepEqual([inode('hosts'), inode('resolv.conf')], before, 'written in place');
      const ip = containerEndpoints(root.ctx, id)[0]!.ip!;
      assert.match(readFileSync(s.hostsFile, 'utf8'), new RegExp(`^${ip.replace(/\./g, '\\.')}\tm1 m1-${sfx}$`, 'm'));
      assert.equal(inNs(netnsName(id), ['ping', '-c', '1', '-W', '2', net.gateway]).status, 0);
      assert.ok(listPortChains().includes(portChainName(id)));
      tearDownContainerNetwork(root.ctx, id);
      assert.ok(!existsSync(ns.path));
    } finally {
      releaseContainerNetwork(root.ctx, id);
      removeNetwork(root.ctx, net.name);
    }
  });

  test('a failed set-up with nsMade leaves its partial work to the caller, whose tear-down removes it all', async () => {
    const root = tempRoot(['10.219.0.0/16']);
    const sfx = suffix();
    after(() => root.cleanup());
    const net = createNetwork(root.ctx, { name: `n-${sfx}` });
    const id = addContainer(root, `n1-${sfx}`);
    try {
      planEndpoints(root.ctx, id, [{ network: net.name }]);
      const ns = makeContainerNetns(root.ctx, id);
      await ns.ready;
      // The namespace vanishes under it (as a kill of it would): its veth cannot be put there.
      run('ip', ['netns', 'del', netnsName(id)]);
      await assert.rejects(setUpContainerNetwork(root.ctx, id, { hostname: 'n1', name: `n1-${sfx}`, nsMade: true }));
      assert.notEqual(containerEndpoints(root.ctx, id)[0]!.ip, null, 'not undone by itself: the caller waits for the runtime first');
      tearDownContainerNetwork(root.ctx, id);
      const k = listBerthKernelObjects();
      assert.ok(!k.netns.includes(netnsName(id)));
      assert.ok(!k.links.some((l) => l.startsWith(hostVethPrefix(id))));
      assert.equal(containerEndpoints(root.ctx, id)[0]!.ip, null);
    } finally {
      releaseContainerNetwork(root.ctx, id);
      removeNetwork(root.ctx, net.name);
    }
  });
});
