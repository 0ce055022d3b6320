// `berth system check [--repair]`: a clean root reports nothing; every kind of orphan, made by
// hand, is found, mended by --repair, and gone from the host afterwards. Also: a `network create`
// killed with -9 at any moment leaves nothing that check cannot account for.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Berth, BIN, sleep, jsonLines } from './helpers.js';

let b: Berth;
const hex = (n: number) => randomBytes(n).toString('hex').slice(0, n * 2);
const sh = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' });
const must = (cmd: string, args: string[]) => {
  const r = sh(cmd, args);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
};
const children: ChildProcess[] = [];
const made: { cgroups: string[]; links: string[]; netns: string[] } = { cgroups: [], links: [], netns: [] };

interface Finding {
  kind: string;
  object: string;
  problem: string;
  action: string;
}
interface Report {
  Findings: Finding[];
  Repaired: Finding[];
  Failed: Array<Finding & { Error: string }>;
}

function check(...flags: string[]): { status: number; report: Report } {
  const r = b.run(['system', 'check', '--format', 'json', ...flags]);
  assert.ok(r.status === 0 || r.status === 1, `check exited ${r.status}: ${r.stderr}`);
  return { status: r.status, report: JSON.parse(r.stdout) as Report };
}

const alive = (p: ChildProcess) => p.exitCode === null && p.signalCode === null;

function firstCgroupMount(): string {
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const [, mp, type] = line.split(' ');
    if (type === 'cgroup' || type === 'cgroup2') return mp!;
  }
  throw new Error('no cgroup hierarchy mounted');
}

before(() => {
  b = new Berth();
  b.importBusybox();
});

after(() => {
  for (const c of children) if (alive(c)) c.kill('SIGKILL');
  for (const n of made.netns) sh('ip', ['netns', 'del', n]);
  for (const l of made.links) sh('ip', ['link', 'del', l]);
  for (const d of made.cgroups)
    if (existsSync(d)) {
      try {
        rmdirSync(d);
      } catch { /* busy */ }
    }
  b.destroy();
});

test("a clean root reports nothing, not even another root's objects", () => {
  b.ok(['run', '-d', '--name', 'fine', '-p', '127.0.0.1::80', 'busybox', 'httpd', '-f', '-p', '80']);
  b.ok(['network', 'create', 'side']);
  const other = new Berth();
  try {
    other.importBusybox();
    other.ok(['network', 'create', 'theirs']);
    other.ok(['run', '-d', '--network', 'theirs', '-p', '127.0.0.1::80', 'busybox', 'httpd', '-f', '-p', '80']);
    other.ok(['create', '--name', 'idle', 'busybox', 'true']);
    const r = b.run(['system', 'check']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, 'no problems found\n');
    assert.equal(other.run(['system', 'check']).status, 0);
  } finally {
    other.destroy();
  }
});

test('every kind of orphan is found, mended by --repair, and gone afterwards', async () => {
  // A stopped container: this root's id, so the kernel objects named from it are this root's.
  const id = b.ok(['run', '-d', '--name', 'victim', 'busybox', 'sleep', '1000']).trim();
  b.ok(['stop', '-t', '0', 'victim']);
  const short = id.slice(0, 12);
  const merged = join(b.root, 'containers', id, 'merged');
  must('mount', ['-t', 'tmpfs', 'tmpfs', merged]);
  const ns = `berth-${short}`;
  must('ip', ['netns', 'add', ns]);
  made.netns.push(ns);
  const veth = `berth${id.slice(0, 9)}7`;
  must('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', `vchk${hex(3)}`]);
  made.links.push(veth);
  const chain = `ctr-${short}`;
  must('nft', ['add', 'chain', 'inet', 'berth', chain]);
  must('nft', ['add', 'rule', 'inet', 'berth', 'ports', 'jump', chain]);
  const ghost = `berth-${hex(4)}`;
  must('nft', ['add', 'element', 'inet', 'berth', 'bridges', `{ "${ghost}" }`]);
  const deadNet = `10.217.${Math.floor(Math.random() * 250)}.0/24`;
  must('nft', ['add', 'element', 'inet', 'berth', 'masq', `{ ${deadNet} }`]);
  const cg = join(firstCgroupMount(), 'berth', id);
  mkdirSync(cg, { recursive: true });
  made.cgroups.push(cg);
  // Processes that claim this root by their arguments, as a leftover conmon and DNS server do.
  const fakeConmon = spawn('/bin/sh', ['-c', 'read x', '-b', join(b.root, 'containers', id)], { argv0: '/usr/bin/conmon',
    stdio: ['pipe', 'ignore', 'ignore'] });
  const fakeDns = spawn('/bin/sh', ['-c', 'read x', '--config', join(b.runroot, 'network', 'aardvark')], { argv0: '/usr/lib/podman/aardvark-dns',
    stdio: ['pipe', 'ignore', 'ignore'] });
  children.push(fakeConmon, fakeDns);
  const strayDir = join(b.root, 'containers', hex(32));
  mkdirSync(join(strayDir, 'diff'), { recursive: true });
  const strayRun = join(b.runroot, 'containers', hex(32));
  mkdirSync(strayRun, { recursive: true });
  const lostId = b.ok(['create', '--name', 'lost', 'busybox', 'true']).trim();
  rmSync(join(b.root, 'containers', lostId), { recursive: true, force: true });
  // Older than a create in progress (which writes the record a moment before the directory).
  const db = new Database(join(b.root, 'berth.db'));
  db.prepare('UPDATE containers SET created_at = ? WHERE id = ?').run(new Date(Date.now() - 120_000).toISOString(), lostId);
  db.close();
  const old = new Date(Date.now() - 3 * 3600_000);
  const strayLayer = join(b.root, 'layers', hex(32));
  mkdirSync(strayLayer);
  utimesSync(strayLayer, old, old);
  const strayBlob = join(b.root, 'blobs', 'sha256', hex(32));
  writeFileSync(strayBlob, 'nobody needs me');
  utimesSync(strayBlob, old, old);
  const freshBlob = join(b.root, 'blobs', 'sha256', hex(32));
  writeFileSync(freshBlob, 'an import in progress may still record me');
  const bridgeOf = (net: string) => JSON.parse(b.ok(['network', 'inspect', net]))[0].Options['com.docker.network.bridge.name'] as string;
  // A bridge whose row is gone (an older berth's order of work, or a lost instances file).
  const strayNet = `10.219.${Math.floor(Math.random() * 250)}.0/24`;
  b.ok(['network', 'create', '--subnet', strayNet, 'unrecorded']);
  const strayBridge = bridgeOf('unrecorded');
  const rw = new Database(join(b.root, 'berth.db'));
  rw.prepare("DELETE FROM networks WHERE name = 'unrecorded'").run();
  rw.close();
  const lonely = bridgeOf('side');
  must('ip', ['link', 'del', lonely]);
  await sleep(100);

  const expected: Array<[string, string]> = [
    ['mount', merged],
    ['netns', ns],
    ['veth', veth],
    ['nft-chain', chain],
    ['nft-element', `bridges { ${ghost} }`],
    ['nft-element', `masq { ${deadNet} }`],
    ['cgroup', cg],
    ['conmon', `pid ${fakeConmon.pid} (container ${short})`],
    ['dns', `aardvark-dns pid ${fakeDns.pid}`],
    ['container-dir', strayDir],
    ['run-dir', strayRun],
    ['record', `container lost (${lostId.slice(0, 12)})`],
    ['layer-dir', strayLayer],
    ['blob', strayBlob],
    ['bridge', lonely],
    ['bridge', strayBridge],
  ];
  const first = check();
  assert.equal(first.status, 1);
  const seen = first.report.Findings.map((f) => `${f.kind} ${f.object}`);
  for (const [kind, object] of expected) assert.ok(seen.includes(`${kind} ${object}`), `found ${kind} ${object}; got:\n${seen.join('\n')}`);
  assert.ok(!seen.some((s) => s.includes(freshBlob)), 'a blob younger than the grace time is left to the import writing it');
  assert.ok(!seen.some((s) => s.includes('fine')), 'the healthy container is not reported');
  // Plain output: one line each, with what would be done, and exit 1.
  const plain = b.run(['system', 'check']);
  assert.equal(plain.status, 1);
  assert.match(plain.stdout, new RegExp(`netns\\s+${ns}\\s+its container is not running\\s+delete it`));

  const fixed = check('--repair');
  assert.equal(fixed.status, 1, 'problems were found');
  assert.deepEqual(fixed.report.Failed, []);
  assert.equal(fixed.report.Repaired.length, fixed.report.Findings.length);

  const again = b.run(['system', 'check']);
  assert.equal(again.status, 0, again.stdout);
  assert.equal(again.stdout, 'no problems found\n');
  // Mended on the host, not just in the report.
  assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${merged} `), 'unmounted');
  assert.ok(!existsSync(`/run/netns/${ns}`), 'netns deleted');
  assert.ok(!existsSync(`/sys/class/net/${veth}`), 'veth deleted');
  assert.ok(existsSync(`/sys/class/net/${lonely}`), "the network's bridge made again");
  assert.ok(!existsSync(`/sys/class/net/${strayBridge}`), 'the unrecorded bridge deleted');
  assert.ok(!existsSync(cg), 'cgroup removed');
  await sleep(100);
  assert.ok(!alive(fakeConmon) && !alive(fakeDns), 'stray processes killed');
  assert.ok(!existsSync(strayDir) && !existsSync(strayRun) && !existsSync(strayLayer) && !existsSync(strayBlob));
  assert.ok(existsSync(freshBlob));
  assert.equal(b.run(['inspect', 'lost']).status, 125, 'the record without files is gone');
  assert.doesNotMatch(sh('nft', ['list', 'table', 'inet', 'berth']).stdout,
    new RegExp(`${chain}|${ghost}|${strayBridge}|${deadNet.replace(/\./g, '\\.')}|${strayNet.replace(/\./g, '\\.')}`));
  assert.equal(b.inspect('fine').State.Status, 'running', 'the healthy container still runs');
  rmSync(freshBlob);
});

test('a container that runs although its record says it stopped: every part of it is found and ended', async () => {
  const id = b.ok(['run', '-d', '--name', 'ghost', '-p', '127.0.0.1::80', 'busybox', 'httpd', '-f', '-p', '80']).trim();
  const pid = b.inspect('ghost').State.Pid;
  const short = id.slice(0, 12);
  // The record says stopped and the run directory is gone (with it, what ps would take for a
  // start cut short): nothing but check can find the rest.
  const db = new Database(join(b.root, 'berth.db'));
  db.prepare("UPDATE containers SET status = 'exited', pid = NULL, conmon_pid = NULL, exit_code = 0 WHERE id = ?").run(id);
  db.close();
  rmSync(join(b.runroot, 'containers', id), { recursive: true, force: true });
  const { status, report } = check();
  assert.equal(status, 1);
  const kinds = new Set(report.Findings.filter((f) => f.object.includes(id.slice(0, 9))).map((f) => f.kind));
  for (const k of ['conmon', 'runtime-state', 'netns', 'veth', 'nft-chain', 'cgroup', 'mount'])
    assert.ok(kinds.has(k), `${k} found; got ${[...kinds].join(', ')}`);
  const fixed = check('--repair');
  assert.deepEqual(fixed.report.Failed, []);
  const after = b.run(['system', 'check']);
  assert.equal(after.status, 0, after.stdout);
  await sleep(100);
  const st = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0] : 'gone';
  assert.ok(st === 'gone' || st === 'Z', `the container's process ended (${st})`);
  assert.ok(!existsSync(`/run/netns/berth-${short}`));
  // The container itself is intact and starts again.
  b.ok(['start', 'ghost']);
  assert.equal(b.inspect('ghost').State.Status, 'running');
  b.ok(['rm', '-f', 'ghost']);
});

test('network create killed with -9 at any moment leaves nothing that check cannot find', async () => {
  const third = 100 + Math.floor(Math.random() * 150);
  const subnet = `10.218.${third}.0/24`;
  const addrsInSubnet = () =>
    sh('ip', ['-o', '-4', 'addr']).stdout.split('\n')
      .filter((l) => l.includes(` 10.218.${third}.`)).map((l) => l.split(/\s+/)[1]!);
  for (let delay = 20; delay <= 320; delay += 25) {
    const p = spawn(BIN, ['--root', b.root, '--runroot', b.runroot, 'network', 'create', '--subnet', subnet, `k${delay}`], { stdio: 'ignore' });
    const closed = new Promise((r) => p.once('close', r));
    await sleep(delay);
    p.kill('SIGKILL');
    await closed;
    // Every bridge holding the subnet is the bridge of a network of this root.
    const rows = jsonLines<{ Name: string }>(b.ok(['network', 'ls', '--format', 'json']));
    const bridges = rows.map((n) => JSON.parse(b.ok(['network', 'inspect', n.Name]))[0].Options['com.docker.network.bridge.name'] as string);
    for (const dev of addrsInSubnet()) assert.ok(bridges.includes(dev), `after a kill at ${delay} ms: ${dev} holds ${subnet} but no network names it`);
    const repaired = b.run(['system', 'check', '--repair']);
    const after = b.run(['system', 'check']);
    assert.equal(after.status, 0, `clean after repair (kill at ${delay} ms):\n${repaired.stdout}${after.stdout}${after.stderr}`);
    if (rows.some((n) => n.Name === `k${delay}`)) b.ok(['network', 'rm', `k${delay}`]);
    assert.deepEqual(addrsInSubnet(), [], `network rm took the bridge (kill at ${delay} ms)`);
  }
});
