// The fault walk: every named step of every multi-step verb (src/common/fault-steps.ts) is hit
// with BERTH_FAULT=verb:step, which kills berth with SIGKILL there. Then the next natural
// command (ps, rm -f, network rm, compose down, the verb again) must finish or undo the work,
// and the host must hold nothing stray for that root: no mount, netns, veth, bridge, nftables
// element, cgroup or conmon process that no live record accounts for. Steps of one verb share a
// temporary root. The figure "steps covered / steps that exist" is computed from the registry.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERB_STEPS, type FaultVerb } from '../../src/common/fault-steps.js';
import { bridgeName, hostVethName, hostVethPrefix, netnsName, portChainName } from '../../src/network/names.js';
import { snapshot } from '../leak.js';
import { listProcesses } from '../../src/sys/proc.js';
import { BIN, BUSYBOX_TAR, Berth, jsonLines, until } from './helpers.js';
import { TestRegistry } from './registry-helpers.js';

const covered: string[] = [];
const total = Object.values(VERB_STEPS).reduce((n, s) => n + s.length, 0);

/** Runs berth with the fault armed; it must die of SIGKILL (the step was reached). */
function fault(b: Berth, verb: FaultVerb, step: string, args: string[]): void {
  const r = spawnSync(BIN, ['--root', b.root, '--runroot', b.runroot, ...args], {
    encoding: 'utf8',
    env: { ...process.env, BERTH_FAULT: `${verb}:${step}` },
    timeout: 60_000,
  });
  assert.equal(r.signal, 'SIGKILL', `berth ${args.join(' ')} was not killed at ${verb}:${step} (status ${r.status})\n${r.stderr}`);
}

interface Seen {
  ids: Set<string>;
  nets: Set<string>;
}

function listJson<T>(b: Berth, args: string[]): T[] {
  return jsonLines<T>(b.ok(args));
}

/** Every host object of this root that no live record accounts for (empty when all is well). */
function strays(b: Berth, seen: Seen): string[] {
  const ps = listJson<{ ID: string; State: string }>(b, ['ps', '-a', '--no-trunc', '--format', 'json']);
  const nets = listJson<{ ID: string }>(b, ['network', 'ls', '--no-trunc', '--format', 'json']);
  for (const c of ps) seen.ids.add(c.ID);
  for (const n of nets) seen.nets.add(n.ID);
  for (const d of [join(b.root, 'containers'), join(b.runroot, 'containers')]) {
    if (existsSync(d)) { for (const id of readdirSync(d)) if (/^[0-9a-f]{64}$/.test(id)) seen.ids.add(id); }
  }
  const running = new Set(ps.filter((c) => c.State === 'running').map((c) => c.ID));
  const liveNets = new Set(nets.map((n) => n.ID));
  const dead = [...seen.ids].filter((id) => !running.has(id));
  const host = snapshot();
  const out: string[] = [];
  const mine = (m: string) => m.startsWith(b.root) || m.startsWith(b.runroot);
  for (const m of host.mounts.filter(mine)) if (![...running].some((id) => m.includes(id))) out.push(`mount ${m}`);
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(': ')[1]?.split('@')[0] ?? '');
  const nft = spawnSync('nft', ['list', 'table', 'inet', 'berth'], { encoding: 'utf8' }).stdout;
  for (const id of dead) {
    if (host.netns.includes(netnsName(id))) out.push(`netns ${netnsName(id)}`);
    for (const l of links) if (l.startsWith(hostVethPrefix(id))) out.push(`veth ${l}`);
    for (const c of host.cgroups) if (c.endsWith(`/${id}`)) out.push(`cgroup ${c}`);
    for (const c of host.conmon) if (c.includes(id)) out.push(`conmon ${c.slice(0, 80)}`);
    if (nft.includes(portChainName(id))) out.push(`nft chain ${portChainName(id)}`);
  }
  // Health runners (container health-runner ID RUN, --root ROOT) of containers not running, and
  // DNS servers of this runroot: none once nothing runs, never more than one.
  for (const p of listProcesses()) {
    const at = p.cmdline.indexOf('health-runner');
    const r = p.cmdline.indexOf('--root');
    if (at > 0 && r >= 0 && p.cmdline[r + 1] === b.root && !running.has(p.cmdline[at + 1] ?? '')) out.push(`health runner ${p.pid}`);
  }
  const dns = listProcesses().filter((p) => p.cmdline[0]?.endsWith('aardvark-dns') && p.cmdline.some((a) => a.startsWith(`${b.runroot}/`)));
  if (dns.length > (running.size > 0 ? 1 : 0)) out.push(...dns.map((p) => `aardvark-dns ${p.pid}`));
  for (const n of seen.nets) {
    if (liveNets.has(n)) continue;
    if (links.includes(bridgeName(n, false))) out.push(`bridge ${bridgeName(n, false)}`);
    if (nft.includes(`"${bridgeName(n, false)}"`)) out.push(`nft element ${bridgeName(n, false)}`);
  }
  return out;
}

/** conmon leaves a moment after its container dies: strays must be gone within a few seconds. */
async function noStrays(b: Berth, seen: Seen, what: string): Promise<void> {
  let last: string[] = [];
  try {
    await until(() => {
      last = strays(b, seen);
      return last.length === 0;
    }, 15_000, 200);
  } catch {
    assert.fail(`${what}: stray host objects: ${last.join(', ')}`);
  }
}

const exists = (b: Berth, name: string) => listJson<{ Names: string }>(b, ['ps', '-a', '--format', 'json']).some((c) => c.Names === name);
const netExists = (b: Berth, name: string) => listJson<{ Name: string }>(b, ['network', 'ls', '--format', 'json']).some((n) => n.Name === name);
const imageNames = (b: Berth) => b.ok(['images']);
/** The next command may find nothing to do: "no such …" and "not connected" are answers, not failures. */
function okOrGone(b: Berth, args: string[]): void {
  const r = b.run(args);
  if (r.status !== 0 && !/no such|not found|not connected/.test(r.stderr)) assert.fail(`berth ${args.join(' ')} → ${r.status}: ${r.stderr}`);
}

interface Walk {
  verb: FaultVerb;
  setup?: (b: Berth) => void | Promise<void>;
  /** Per step: makes what the verb acts on, returns the verb's arguments. */
  arrange: (b: Berth, n: string) => string[];
  /** The next natural command(s), then what must hold; leaves the root as arrange found it. */
  recover: (b: Berth, n: string) => void;
  teardown?: () => void | Promise<void>;
}

const RUN = (n: string) => ['-d', '--name', n, 'busybox', 'sleep', '1000'];
/** run's and start's walks pass the health runner's start too; its checks never come (an hour). */
const HEALTH = ['--health-cmd', 'true', '--health-interval', '1h'];

const tmp = mkdtempSync('/tmp/berth-faults-');
after(() => rmSync(tmp, { recursive: true, force: true }));
const composeFile = join(tmp, 'compose.yaml');
writeFileSync(composeFile, 'services:\n  web:\n    image: busybox\n    command: ["sleep", "1000"]\n    networks: [front]\nnetworks:\n  front: {}\n');
const reg = new TestRegistry();

const WALKS: Walk[] = [
  {
    verb: 'run',
    arrange: (_b, n) => ['run', ...RUN(n).slice(0, 3), '-p', '127.0.0.1::80', ...HEALTH, ...RUN(n).slice(3)],
    recover: (b, n) => {
      b.ok(['ps', '-a']);
      b.ok(['rm', '-f', n]);
      assert.ok(!exists(b, n));
      b.ok(['run', ...RUN(n)]);
      b.ok(['rm', '-f', n]);
    },
  },
  {
    verb: 'create',
    arrange: (_b, n) => ['create', '--name', n, 'busybox', 'sleep', '1000'],
    recover: (b, n) => {
      b.ok(['rm', '-f', n]);
      b.ok(['create', '--name', n, 'busybox', 'true']);
      b.ok(['rm', n]);
    },
  },
  {
    verb: 'start',
    arrange: (b, n) => {
      b.ok(['create', '-p', '127.0.0.1::80', ...HEALTH, '--name', n, 'busybox', 'sleep', '1000']);
      return ['start', n];
    },
    recover: (b, n) => {
      b.ok(['start', n]);
      assert.equal(b.ok(['exec', n, 'echo', 'alive']), 'alive\n');
      b.ok(['rm', '-f', n]);
    },
  },
  {
    verb: 'stop',
    arrange: (b, n) => {
      b.ok(['run', ...RUN(n)]);
      return ['stop', '-t', '1', n];
    },
    recover: (b, n) => {
      b.ok(['stop', '-t', '1', n]);
      assert.equal(b.inspect(n).State.Status, 'exited');
      b.ok(['start', n]);
      b.ok(['rm', '-f', n]);
    },
  },
  {
    verb: 'kill',
    arrange: (b, n) => {
      b.ok(['run', ...RUN(n)]);
      return ['kill', n];
    },
    recover: (b, n) => {
      b.ok(['ps', '-a']);
      b.ok(['rm', '-f', n]);
    },
  },
  {
    verb: 'rm',
    arrange: (b, n) => {
      b.ok(['run', ...RUN(n)]);
      return ['rm', '-f', n];
    },
    recover: (b, n) => {
      okOrGone(b, ['rm', '-f', n]);
      assert.ok(!exists(b, n));
    },
  },
  {
    verb: 'restart',
    arrange: (b, n) => {
      b.ok(['run', ...RUN(n)]);
      return ['restart', '-t', '1', n];
    },
    recover: (b, n) => {
      b.ok(['ps', '-a']);
      b.ok(['restart', '-t', '1', n]);
      assert.equal(b.ok(['exec', n, 'echo', 'alive']), 'alive\n');
      b.ok(['rm', '-f', n]);
    },
  },
  {
    verb: 'network create',
    arrange: (_b, n) => ['network', 'create', n],
    recover: (b, n) => {
      okOrGone(b, ['network', 'rm', n]);
      assert.ok(!netExists(b, n));
      b.ok(['network', 'create', n]);
      b.ok(['network', 'rm', n]);
    },
  },
  {
    verb: 'network connect',
    setup: (b) => {
      b.ok(['network', 'create', 'side']);
    },
    arrange: (b, n) => {
      b.ok(['run', ...RUN(n)]);
      return ['network', 'connect', 'side', n];
    },
    recover: (b, n) => {
      okOrGone(b, ['network', 'disconnect', 'side', n]);
      b.ok(['network', 'connect', 'side', n]);
      assert.match(b.ok(['exec', n, 'ip', '-o', 'addr', 'show', 'eth1']), /inet /);
      b.ok(['rm', '-f', n]);
    },
  },
  {
    verb: 'network disconnect',
    setup: (b) => {
      b.ok(['network', 'create', 'side']);
    },
    arrange: (b, n) => {
      b.ok(['run', ...RUN(n)]);
      b.ok(['network', 'connect', 'side', n]);
      return ['network', 'disconnect', 'side', n];
    },
    recover: (b, n) => {
      okOrGone(b, ['network', 'disconnect', 'side', n]);
      const id = b.inspect(n).Id;
      const link = spawnSync('ip', ['link', 'show', hostVethName(id, 1)], { encoding: 'utf8' });
      assert.notEqual(link.status, 0, 'the disconnected veth is gone');
      b.ok(['rm', '-f', n]);
    },
  },
  {
    verb: 'network rm',
    arrange: (b, n) => {
      b.ok(['network', 'create', n]);
      return ['network', 'rm', n];
    },
    recover: (b, n) => {
      okOrGone(b, ['network', 'rm', n]);
      assert.ok(!netExists(b, n));
    },
  },
  {
    verb: 'compose up',
    arrange: (_b, n) => ['compose', '-f', composeFile, '-p', n, 'up', '-d'],
    recover: (b, n) => {
      b.ok(['compose', '-f', composeFile, '-p', n, 'down', '-t', '0']);
      b.ok(['compose', '-f', composeFile, '-p', n, 'up', '-d']);
      b.ok(['compose', '-f', composeFile, '-p', n, 'down', '-t', '0']);
      assert.ok(!netExists(b, `${n}_front`));
    },
  },
  {
    verb: 'compose down',
    arrange: (b, n) => {
      b.ok(['compose', '-f', composeFile, '-p', n, 'up', '-d']);
      return ['compose', '-f', composeFile, '-p', n, 'down', '-t', '1'];
    },
    recover: (b, n) => {
      b.ok(['compose', '-f', composeFile, '-p', n, 'down', '-t', '0']);
      assert.ok(!netExists(b, `${n}_front`));
      assert.ok(!exists(b, `${n}-web-1`));
    },
  },
  {
    verb: 'pull',
    setup: async (b) => {
      await reg.start();
      b.ok(['push', '-q', '--tls-verify=false', 'busybox', `${reg.host}/lib/box:1`]);
      b.ok(['rmi', 'busybox']);
    },
    arrange: () => ['pull', '-q', '--tls-verify=false', `${reg.host}/lib/box:1`],
    recover: (b) => {
      b.ok(['pull', '-q', '--tls-verify=false', `${reg.host}/lib/box:1`]);
      assert.match(imageNames(b), /lib\/box/);
      b.ok(['rmi', `${reg.host}/lib/box:1`]);
    },
    teardown: async () => {
      await reg.stop();
    },
  },
  {
    verb: 'load',
    setup: (b) => {
      b.ok(['rmi', 'busybox']);
    },
    arrange: () => ['load', '-q', '-i', BUSYBOX_TAR],
    recover: (b) => {
      b.ok(['load', '-q', '-i', BUSYBOX_TAR]);
      assert.match(imageNames(b), /busybox/);
      b.ok(['rmi', 'busybox']);
    },
  },
  {
    verb: 'commit',
    arrange: (b, n) => {
      b.ok(['run', ...RUN(n)]);
      b.ok(['exec', n, 'sh', '-c', `echo ${n} > /mark`]);
      return ['commit', n, `img-${n}`];
    },
    recover: (b, n) => {
      b.ok(['commit', n, `img-${n}`]);
      assert.match(imageNames(b), new RegExp(`img-${n}`));
      b.ok(['rm', '-f', n]);
      b.ok(['rmi', `img-${n}`]);
    },
  },
  {
    verb: 'build',
    arrange: (_b, n) => {
      const dir = join(tmp, n);
      rmSync(dir, { recursive: true, force: true });
      spawnSync('mkdir', ['-p', dir]);
      writeFileSync(join(dir, 'f'), `${n} ${Date.now()}\n`);
      writeFileSync(join(dir, 'Containerfile'), 'FROM busybox\nCOPY f /f\nRUN cat /f > /g\n');
      return ['build', '-q', '-t', `built-${n}`, dir];
    },
    recover: (b, n) => {
      b.ok(['build', '-q', '-t', `built-${n}`, join(tmp, n)]);
      assert.match(imageNames(b), new RegExp(`built-${n}`));
      b.ok(['rmi', `built-${n}`]);
    },
  },
];

for (const w of WALKS) {
  test(`fault walk: ${w.verb}`, async (t) => {
    const b = new Berth();
    const seen: Seen = { ids: new Set(), nets: new Set() };
    try {
      b.importBusybox();
      await w.setup?.(b);
      let i = 0;
      for (const s of VERB_STEPS[w.verb]) {
        const n = `f${i++}`;
        await t.test(s, async () => {
          const args = w.arrange(b, n);
          fault(b, w.verb, s, args);
          w.recover(b, n);
          await noStrays(b, seen, `${w.verb}:${s}`);
          covered.push(`${w.verb}:${s}`);
        });
      }
    } finally {
      await w.teardown?.();
      b.destroy();
    }
  });
}

test('the stray check sees what it looks for', () => {
  // A check that cannot fail proves nothing: a veth named for a container this root no longer
  // has, and a bridge named for a network it no longer has, must both be reported.
  const b = new Berth();
  const id = 'f'.repeat(64);
  const net = 'e'.repeat(64);
  const veth = hostVethName(id, 0);
  const bridge = bridgeName(net, false);
  try {
    assert.equal(spawnSync('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'ftpeer0']).status, 0, `ip link add ${veth}`);
    assert.equal(spawnSync('ip', ['link', 'add', bridge, 'type', 'bridge']).status, 0, `ip link add ${bridge}`);
    const found = strays(b, { ids: new Set([id]), nets: new Set([net]) });
    assert.ok(found.includes(`veth ${veth}`), found.join(', '));
    assert.ok(found.includes(`bridge ${bridge}`), found.join(', '));
  } finally {
    for (const l of [veth, bridge]) spawnSync('ip', ['link', 'del', l]);
    b.destroy();
  }
});

test('fault walk covers every named step', (t) => {
  const figure = `fault walk: ${covered.length} / ${total} steps covered`;
  // In the test report (a diagnostic line, `# fault walk: …`), whichever reporter runs it.
  t.diagnostic(figure);
  assert.equal(covered.length, total, figure);
});
