// `system check` and the suite's leak check (test/leak.ts) agree. A root is given every kind of
// leftover a killed berth leaves (BERTH_FAULT kills, processes killed under it, a record that
// no longer says what runs); whatever of this root the leak check's snapshot diff then holds,
// `system check` must report, and after `system check --repair` the diff must be empty. Also:
// a lost instances file is found, and --repair rebuilds the records (system recover's work).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { leaked, snapshot, type HostObjects } from '../leak.js';
import { BIN, Berth, until, jsonLines } from './helpers.js';

interface Finding {
  kind: string;
  object: string;
}
interface Report {
  Findings: Finding[];
  Repaired: Finding[];
  Failed: Array<Finding & { Error: string }>;
}

const roots: Berth[] = [];
after(() => {
  // A failed assertion leaves the faults' leftovers: mended before the root goes.
  for (const b of roots) {
    b.run(['system', 'check', '--repair']);
    b.destroy();
  }
});

function check(b: Berth, ...flags: string[]): { status: number; report: Report } {
  const r = b.run(['system', 'check', '--format', 'json', ...flags]);
  assert.ok(r.status === 0 || r.status === 1, `check exited ${r.status}: ${r.stderr}`);
  return { status: r.status, report: JSON.parse(r.stdout) as Report };
}

/** The snapshot's objects that are this root's: under it, or named from one of its ids. */
function mine(b: Berth, ids: string[], all: Partial<HostObjects>): string[] {
  const out: string[] = [];
  const ours = (s: string) => s.includes(b.root) || s.includes(b.runroot) || ids.some((id) => s.includes(id.slice(0, 9)));
  for (const [kind, list] of Object.entries(all)) for (const x of list ?? []) if (ours(x)) out.push(`${kind} ${x}`);
  return out;
}

/** Whether a leak-check entry is accounted for by one of check's findings. */
function reported(entry: string, findings: Finding[]): boolean {
  const [kind = '', ...rest] = entry.split(' ');
  const what = rest.join(' ');
  const pid = /^(\d+) /.exec(what)?.[1];
  const id9 = /[0-9a-f]{64}/.exec(what)?.[0]?.slice(0, 9) ?? /berth-?([0-9a-f]{9})/.exec(what)?.[1] ?? /ctr-([0-9a-f]{9})/.exec(what)?.[1];
  return findings.some((f) => {
    // A run that ended unseen is released as a whole by check (as ps would): everything named from it.
    if (f.kind === 'run' && id9 !== undefined && f.object.includes(`(${id9}`)) return true;
    switch (kind) {
      case 'mounts':
        // A network namespace is a mount of its own under /run/netns.
        return (f.kind === 'mount' && f.object === what) || (f.kind === 'netns' && what === `/run/netns/${f.object}`);
      case 'netns':
        return f.kind === 'netns' && f.object === what;
      case 'links':
        return (f.kind === 'veth' || f.kind === 'bridge') && f.object === what;
      case 'nftChains':
        return f.kind === 'nft-chain' && f.object === what;
      case 'cgroups':
        return f.kind === 'cgroup' && id9 !== undefined && f.object.endsWith(what.slice(what.lastIndexOf('/')));
      case 'conmon':
        return f.kind === 'conmon' && f.object.startsWith(`pid ${pid} `);
      case 'healthRunners':
        return f.kind === 'health-runner' && f.object.startsWith(`pid ${pid} `);
      case 'dns':
        return f.kind === 'dns' && f.object === `aardvark-dns pid ${pid}`;
      default:
        return false;
    }
  });
}

function fault(b: Berth, spec: string, args: string[]): void {
  const r = spawnSync(BIN, ['--root', b.root, '--runroot', b.runroot, ...args], { encoding: 'utf8', env: { ...process.env, BERTH_FAULT: spec } });
  assert.equal(r.signal, 'SIGKILL', `berth ${args.join(' ')} was not killed at ${spec}: ${r.status} ${r.stderr}`);
}

/** This root's container ids, read from disk: ps would mend what the test means to leave. */
function runnerAsleep(pid: number, db: string): boolean {
  try {
    const open = readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === db;
      } catch {
        return false;
      }
    });
    return open && readFileSync(`/proc/${pid}/wchan`, 'utf8') === 'do_epoll_wait';
  } catch {
    return false;
  }
}

const ids = (b: Berth) => readdirSync(join(b.root, 'containers')).filter((d) => /^[0-9a-f]{64}$/.test(d));

test('every leftover of this root that the leak check finds, system check reports; --repair leaves the leak check nothing', async () => {
  const b = new Berth();
  roots.push(b);
  b.importBusybox();
  b.ok(['network', 'create', 'leaknet']);
  const before = snapshot();

  // A container whose record says it stopped while all of it runs, health runner and DNS server
  // included: what a lost or restored instances file leaves.
  const hc = ['--network', 'leaknet', '-p', '127.0.0.1::80', '--health-cmd', 'true', '--health-interval', '1h'];
  const ghost = b.ok(['run', '-d', '--name', 'ghostly', ...hc, 'busybox', 'httpd', '-f', '-p', '80']).trim();
  const runner = await until(() => Number(snapshot().healthRunners.find((l) => l.includes(ghost))?.split(' ')[0] ?? 0) || undefined);
  // The runner must have read its run's record before the record changes under it, or it just
  // leaves: it has once it holds the instances file open and sleeps out its interval (its next
  // wait for anything after the synchronous reads).
  await until(() => runnerAsleep(runner, join(b.root, 'berth.db')));
  const db = new Database(join(b.root, 'berth.db'));
  db.prepare("UPDATE containers SET status = 'exited', pid = NULL, conmon_pid = NULL, run_id = NULL, exit_code = 0 WHERE id = ?").run(ghost);
  db.close();
  rmSync(join(b.runroot, 'containers', ghost), { recursive: true, force: true });
  // The DNS server's pid file lost, as by a berth killed between starting it and writing it.
  rmSync(join(b.runroot, 'network', 'aardvark.pid'), { force: true });
  // Starts killed after conmon, and after the runtime's start, before the record says it runs.
  fault(b, 'run:start.conmon', ['run', '-d', '--name', 'cutshort', '-p', '127.0.0.1::80', 'busybox', 'sleep', '1000']);
  fault(b, 'run:start.started', ['run', '-d', '--name', 'unrecorded', '--network', 'leaknet', 'busybox', 'sleep', '1000']);
  // A running container whose conmon and process are killed: its exit callback never runs.
  const killed = b.ok(['run', '-d', '--name', 'powercut', '-p', '127.0.0.1::80', 'busybox', 'sleep', '1000']).trim();
  const st = JSON.parse(b.ok(['inspect', '--format', '{{json .State}}', 'powercut'])) as { Pid: number; ConmonPid: number };
  assert.ok(st.Pid > 0 && st.ConmonPid > 0, JSON.stringify(st));
  for (const pid of [st.ConmonPid, st.Pid]) spawnSync('kill', ['-KILL', String(pid)]);
  // A network create killed once its bridge was made.
  fault(b, 'network create:netcreate.bridge', ['network', 'create', 'halfnet']);

  const all = ids(b);
  assert.ok(all.includes(ghost) && all.includes(killed));
  const left = mine(b, all, leaked(before, snapshot()));
  assert.ok(left.length > 0, 'the faults left something on the host');
  for (const k of ['mounts', 'netns', 'links', 'nftChains', 'cgroups', 'conmon', 'healthRunners', 'dns']) {
    assert.ok(left.some((l) => l.startsWith(`${k} `)), `a leftover of kind ${k} was made; made:\n${left.join('\n')}`);
  }
  const first = check(b);
  assert.equal(first.status, 1);
  const seen = first.report.Findings;
  const missed = left.filter((l) => !reported(l, seen));
  assert.deepEqual(missed, [], `check missed what the leak check found; check reported:\n${seen.map((f) => `${f.kind} ${f.object}`).join('\n')}`);

  const fixed = check(b, '--repair');
  assert.deepEqual(fixed.report.Failed, []);
  let rest: string[] = [];
  await until(() => {
    rest = mine(b, all, leaked(before, snapshot()));
    return rest.length === 0;
  }).catch(() => assert.deepEqual(rest, [], 'the leak check finds nothing of this root after --repair'));
  const again = b.run(['system', 'check']);
  assert.equal(again.status, 0, again.stdout);
  // The root works again: the ghost and the cut-short ones start.
  b.ok(['start', 'ghostly']);
  assert.equal(b.inspect('ghostly').State.Status, 'running');
  b.ok(['rm', '-f', ...b.ok(['ps', '-aq']).trim().split('\n')]);
  for (const n of ['leaknet', 'halfnet']) b.run(['network', 'rm', n]);
});

test('a lost instances file is found by check, and --repair rebuilds the records', () => {
  const b = new Berth();
  roots.push(b);
  b.importBusybox();
  b.ok(['run', '-d', '--name', 'keeper', 'busybox', 'sleep', '1000']);
  b.ok(['create', '--name', 'waiting', 'busybox', 'true']);
  const file = join(b.root, 'berth.db');
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  const plain = b.run(['system', 'check']);
  assert.equal(plain.status, 1, plain.stdout + plain.stderr);
  assert.match(plain.stdout, /instances-file\s+\S+berth\.db\s+missing, but .* holds 2 containers\s+rebuild the records/);
  const fixed = check(b, '--repair');
  assert.deepEqual(fixed.report.Failed, []);
  assert.ok(fixed.report.Repaired.some((f) => f.kind === 'instances-file'));
  const states = new Map((jsonLines<{ Names: string; State: string }>(b.ok(['ps', '-a', '--format', 'json']))).map((c) => [c.Names, c.State]));
  assert.deepEqual([...states].sort(), [['keeper', 'running'], ['waiting', 'created']]);
  const again = b.run(['system', 'check']);
  assert.equal(again.status, 0, again.stdout);
  assert.equal(readFileSync(file).length > 0, true);
  b.ok(['rm', '-f', 'keeper', 'waiting']);
});
