// The instances file never disappears silently: each container's rows are also kept in
// ROOT/containers/ID/berth.json; a missing or empty berth.db in a root that holds containers is
// refused with what to do, and `berth system recover` brings the records back (names kept,
// running containers still running, addresses and published ports as they were).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { Berth, jsonLines } from './helpers.js';
import { freePort } from './registry-helpers.js';

let b: Berth;
let port: number;
before(async () => {
  b = new Berth();
  b.importBusybox();
  port = await freePort();
  b.ok(['network', 'create', '--subnet', '10.213.7.0/24', 'side']);
  b.ok(['network', 'create', '--subnet', '10.213.8.0/24', 'lonely']);
  b.ok(['run', '-d', '--name', 'web', '-p', `127.0.0.1:${port}:80`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);
  b.ok(['run', '-d', '--name', 'db', '--network', 'side:ip=10.213.7.9,alias=database', 'busybox', 'sleep', '1000']);
  b.ok(['create', '--name', 'idle', 'busybox', 'true']);
  assert.equal(b.run(['run', '--name', 'done', 'busybox', 'sh', '-c', 'exit 3']).status, 3);
});
after(() => b.destroy());

const names = () => b.ok(['ps', '-a', '--format', 'json']);

async function httpOk(): Promise<boolean> {
  const r = await fetch(`http://127.0.0.1:${port}/passwd`);
  return r.status === 200 && (await r.text()).includes('root:');
}

function assertRefused(what: string): void {
  const r = b.run(['ps', '-a']);
  assert.equal(r.status, 125, `${what}: ${r.stdout}${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.match(lines[0]!, /^berth: the instances file .*berth\.db is (missing|empty), but .* holds 4 containers$/);
  assert.match(lines[1] ?? '', /^hint: run "berth system recover"/);
  assert.equal(lines.length, 2);
  // Nothing was made in its place: the next command is refused the same way.
  assert.equal(b.run(['run', '-d', '--name', 'web', 'busybox', 'true']).status, 125);
}

function assertBack(): void {
  const out = b.ok(['system', 'recover']);
  assert.match(out, /4 recovered, 0 already recorded, 0 not recovered; 3 networks recovered/);
  const nets = (jsonLines<{ Name: string; Subnet: string }>(b.ok(['network', 'ls', '--format', 'json']))).map((n) => `${n.Name} ${n.Subnet}`);
  assert.ok(nets.includes('lonely 10.213.8.0/24'), `a network no container uses is kept too: ${nets.join(', ')}`);
  assert.ok(nets.includes('side 10.213.7.0/24'));
  const byName = new Map(jsonLines(names()).map((c) => [c.Names, c]));
  assert.deepEqual([...byName.keys()].sort(), ['db', 'done', 'idle', 'web']);
  assert.equal(byName.get('web')!.State, 'running');
  assert.equal(byName.get('db')!.State, 'running');
  assert.equal(byName.get('idle')!.State, 'created');
  assert.match(byName.get('done')!.Status!, /^Exited \(3\)/);
  assert.match(b.ok(['exec', 'db', 'ip', '-o', '-4', 'addr', 'show', 'eth0']), /10\.213\.7\.9\//);
  // The names are held again.
  const r = b.run(['create', '--name', 'web', 'busybox', 'true']);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /already in use/);
}

test('a deleted instances file is refused, then recovered with running containers still running', async () => {
  assert.ok(await httpOk());
  for (const id of b.ok(['ps', '-aq', '--no-trunc']).trim().split('\n')) assert.ok(existsSync(join(b.root, 'containers', id, 'berth.json')));
  rmSync(join(b.root, 'berth.db'));
  assertRefused('deleted');
  assertBack();
  assert.ok(await httpOk(), 'the published port still answers');
  b.ok(['stop', '-t', '0', 'db']);
  b.ok(['start', 'db']);
  assert.match(b.ok(['exec', 'db', 'ip', '-o', '-4', 'addr', 'show', 'eth0']), /10\.213\.7\.9\//, 'the static address survives a restart');
});

test('an instances file truncated to nothing is refused, then recovered', () => {
  truncateSync(join(b.root, 'berth.db'), 0);
  assertRefused('truncated');
  assertBack();
  b.ok(['start', 'idle']);
});

test('a root that holds only networks is refused too, and a removed network is not brought back', () => {
  b.ok(['rm', '-f', 'web', 'db', 'idle', 'done']);
  b.ok(['network', 'rm', 'side']);
  rmSync(join(b.root, 'berth.db'));
  const r = b.run(['network', 'ls']);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /^berth: the instances file .* is missing, but .* holds 2 networks\n/);
  assert.match(b.ok(['system', 'recover']), /0 recovered, 0 already recorded, 0 not recovered; 2 networks recovered/);
  const nets = (jsonLines<{ Name: string }>(b.ok(['network', 'ls', '--format', 'json']))).map((n) => n.Name).sort();
  assert.deepEqual(nets, ['berth', 'lonely'], 'the default network is kept too: its bridge is not orphaned');
  b.ok(['network', 'rm', 'lonely', 'berth']);
});
