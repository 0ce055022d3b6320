// The network store against a real instances file in a temporary directory (no root needed):
// the constraints network/ relies on come back as false, not as SQLite errors, and a failed
// transaction leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from './db.js';
import { insertContainer } from './containers.js';
import { networkStore } from './network-store.js';

function withDb(fn: (db: Db) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'berth-state-'));
  const db = openDb(dir);
  try {
    fn(db);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function container(db: Db, id: string, name: string): void {
  insertContainer(db, {
    id,
    name,
    imageId: 'sha256:0',
    imageRef: 'test',
    spec: {},
    labels: {},
    status: 'created',
    pid: null,
    conmonPid: null,
    conmonStart: null,
    exitCode: null,
    oomKilled: false,
    restartCount: 0,
    runtime: 'runc',
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
    bootId: null,
    stopRequested: false,
    runId: null,
    pidStart: null,
    restartBackoffMs: 0,
  });
}

const net = (name: string, id: string, bridge: string, internal = 0) => ({
  name,
  id,
  bridge,
  subnet: '10.1.0.0/24',
  gateway: '10.1.0.1',
  ip_range: null,
  internal,
  labels: '{}',
  created_at: `2026-01-0${id.length % 9}T00:00:00Z`,
});
const ep = (container_id: string, network: string, ifname: string, ip: string | null, static_ip = 0) => ({ container_id, network, ifname, ip, static_ip,
  mac: null, aliases: '["a"]' });

test('networks: insert refuses a taken name or bridge, and rows come back as stored', () =>
  withDb((db) => {
    const s = networkStore(db);
    assert.equal(s.insertNetwork(net('n1', 'id1', 'br1')), true);
    assert.equal(s.insertNetwork(net('n1', 'id2', 'br2')), false, 'name taken');
    assert.equal(s.insertNetwork(net('n2', 'id3', 'br1')), false, 'bridge taken');
    assert.deepEqual(s.network('n1'), net('n1', 'id1', 'br1'));
    assert.deepEqual(s.networks().map((n) => n.name), ['n1']);
    s.deleteNetwork('n1');
    assert.equal(s.network('n1'), undefined);
  }));

test('endpoints: one address per network, dynamic ones released at stop, static ones kept', () =>
  withDb((db) => {
    const s = networkStore(db);
    s.insertNetwork(net('n1', 'id1', 'br1'));
    s.insertNetwork(net('n2', 'id22', 'br2', 1));
    container(db, 'c1', 'one');
    container(db, 'c2', 'two');
    assert.equal(s.insertEndpoint(ep('c1', 'n1', 'eth0', '10.1.0.2', 1)), true);
    assert.equal(s.insertEndpoint(ep('c2', 'n1', 'eth0', '10.1.0.2', 1)), false, 'address taken');
    assert.equal(s.addressTaken('n1', '10.1.0.2'), true);
    assert.equal(s.insertEndpoint(ep('c2', 'n1', 'eth0', null)), true);
    assert.equal(s.insertEndpoint(ep('c2', 'n2', 'eth1', null)), true);
    s.setEndpointAddress('c2', 'n1', '10.1.0.3');
    s.setEndpointAddress('c2', 'n2', '10.1.0.4');
    assert.deepEqual(s.addressesOn('n1').sort(), ['10.1.0.2', '10.1.0.3']);
    assert.deepEqual(s.routedAddresses('c2'), [{ ip: '10.1.0.3', ifname: 'eth0' }], 'n2 is internal');
    assert.equal(s.holdsDynamicAddress('c2'), true);
    s.releaseDynamicAddresses('c2');
    s.releaseDynamicAddresses('c1');
    assert.equal(s.holdsDynamicAddress('c2'), false);
    assert.deepEqual(s.addressedEndpoints().map((e) => [e.container_id, e.ip]), [['c1', '10.1.0.2']]);
    assert.deepEqual(s.containersWithEndpoints().sort(), ['c1', 'c2']);
    assert.equal(s.containerName('c2'), 'two');
    s.deleteEndpoint('c2', 'n2');
    assert.deepEqual(s.endpointsOf('c2').map((e) => e.network), ['n1']);
    s.deleteEndpointsOn('n1');
    assert.deepEqual(s.containersWithEndpoints(), []);
  }));

test('ports: one publisher per host port and protocol, named by its container', () =>
  withDb((db) => {
    const s = networkStore(db);
    container(db, 'c1', 'one');
    const row = { container_id: 'c1', host_ip: '', host_port: 8080, container_port: 80, proto: 'tcp' };
    assert.equal(s.insertPort(row), true);
    assert.equal(s.insertPort({ ...row, container_port: 81 }), false);
    assert.equal(s.insertPort({ ...row, proto: 'udp' }), true);
    assert.deepEqual(s.portPublisher(8080, 'tcp'), { name: 'one' });
    assert.equal(s.portPublisher(8081, 'tcp'), undefined);
    assert.deepEqual(s.portsOf('c1').map((p) => p.proto), ['tcp', 'udp']);
    s.deletePortsOf('c1');
    assert.deepEqual(s.portsOf('c1'), []);
  }));

test('transaction: a throw rolls back every store call inside it, nested ones included', () =>
  withDb((db) => {
    const s = networkStore(db);
    assert.throws(() =>
      s.transaction(() => {
        s.insertNetwork(net('n1', 'id1', 'br1'));
        s.transaction(() => s.insertNetwork(net('n2', 'id2', 'br2')));
        throw new Error('boom');
      }), /boom/);
    assert.deepEqual(s.networks(), []);
    assert.equal(s.transaction(() => s.insertNetwork(net('n3', 'id3', 'br3'))), true);
    assert.equal(s.networks().length, 1);
  }));
