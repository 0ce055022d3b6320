// The web farm of examples/webfarm, brought up from its compose file with real containers: the
// proxy balances across every server, survives a stopped one, picks up scaled-out ones without
// being recreated, and `down` leaves nothing. The file is copied with its own host port and
// private subnet, so that a running `make demo` does not clash with the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Berth, REPO, jsonLines } from './helpers.js';

const suffix = Math.random().toString(36).slice(2, 8);
const PROJECT = `berthfarm${suffix}`;
const PORT = 18080 + Math.floor(Math.random() * 1000);
const NET3 = 100 + Math.floor(Math.random() * 150);
const SUBNET = `10.213.${NET3}.0/24`;
const DNS = `10.213.${NET3}.1`;
const URL = `http://127.0.0.1:${PORT}/`;

let b: Berth;
let dir: string;
let file: string;

function compose(...args: string[]): string {
  return b.ok(['compose', '-f', file, '-p', PROJECT, ...args]);
}

interface PsEntry {
  ID: string;
  Name: string;
  Image: string;
  Service: string;
  State: string;
  Status: string;
  Networks: Array<{ network: string; ip: string | null }>;
}
const ps = (...args: string[]) => jsonLines<PsEntry>(compose('ps', '--format', 'json', ...args));

/** The instance named by one answer of the farm ("web instance P-web-2 at 10.…"). */
async function ask(timeoutMs = 5000): Promise<string> {
  const r = await fetch(URL, { signal: AbortSignal.timeout(timeoutMs) });
  assert.equal(r.status, 200);
  const m = /web instance (\S+) at (\S+)</.exec(await r.text());
  assert.ok(m, 'the page names its instance');
  return m[1]!;
}

async function askMany(n: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const who = await ask();
    seen.set(who, (seen.get(who) ?? 0) + 1);
  }
  return seen;
}

before(() => {
  b = new Berth();
  b.importBusybox();
  b.importNginx();
  dir = mkdtempSync('/tmp/berth-webfarm-');
  cpSync(join(REPO, 'examples/webfarm'), dir, { recursive: true });
  file = join(dir, 'compose.yaml');
  const text = readFileSync(file, 'utf8');
  assert.match(text, /"8080:80"/);
  assert.match(text, /10\.213\.47\.0\/24/);
  writeFileSync(file, text.replace('"8080:80"', `"${PORT}:80"`).replace('10.213.47.0/24', SUBNET));
  const conf = join(dir, 'proxy/nginx.conf');
  writeFileSync(conf, readFileSync(conf, 'utf8').replace('resolver 10.213.47.1 ', `resolver ${DNS} `));
});

after(() => {
  b.run(['compose', '-f', file, '-p', PROJECT, 'down']);
  b.destroy();
  rmSync(dir, { recursive: true, force: true });
});

test('an invalid file is refused before anything is created', () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, readFileSync(file, 'utf8').replace('    restart: unless-stopped\n', '    restart: unless-stopped\n    cgroup: host\n'));
  const r = b.run(['compose', '-f', bad, '-p', PROJECT, 'up', '-d']);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /^berth: bad\.yaml: services\.web\.cgroup: not supported by berth$/m);
  assert.equal(b.ok(['ps', '-aq']), '');
  assert.doesNotMatch(b.ok(['network', 'ls']), new RegExp(PROJECT));
});

test('up: every web instance answers through the proxy', async () => {
  compose('up', '-d');
  const names = ps().map((e) => e.Name).sort();
  assert.deepEqual(names, [`${PROJECT}-proxy-1`, `${PROJECT}-web-1`, `${PROJECT}-web-2`, `${PROJECT}-web-3`]);
  const seen = await askMany(30);
  assert.deepEqual([...seen.keys()].sort(), [`${PROJECT}-web-1`, `${PROJECT}-web-2`, `${PROJECT}-web-3`], `answers: ${JSON.stringify([...seen])}`);
});

test('a second up changes nothing', () => {
  const before = ps().map((e) => e.ID).sort();
  const r = b.run(['compose', '-f', file, '-p', PROJECT, 'up', '-d']);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /Created|Recreated|Removed/);
  assert.deepEqual(ps().map((e) => e.ID).sort(), before);
});

test('ps lists every instance with its image, uptime and addresses', () => {
  const out = compose('ps');
  for (const n of [1, 2, 3]) {
    assert.match(out, new RegExp(`^${PROJECT}-web-${n}\\s+localhost/busybox:latest\\s+web\\s+Up .*${PROJECT}_private=10\\.213\\.${NET3}\\.\\d+`, 'm'));
  }
  assert.match(out,
    new RegExp(`^${PROJECT}-proxy-1\\s+localhost/nginx:latest\\s+proxy\\s+Up .*0\\.0\\.0\\.0:${PORT}->80/tcp.*${PROJECT}_private=.*${PROJECT}_public=`, 'm'));
});

test('the servers do not answer from the host; only the proxy does', async () => {
  const ips = ps().filter((e) => e.Service === 'web').flatMap((e) => e.Networks.map((n) => n.ip));
  assert.equal(ips.length, 3);
  for (const ip of ips) {
    await assert.rejects(fetch(`http://${ip}/`, { signal: AbortSignal.timeout(1500) }), `server ${ip} answered the host`);
  }
});

test('logs show each service with its replica prefix', () => {
  const out = compose('logs', 'web');
  for (const n of [1, 2, 3]) assert.match(out, new RegExp(`^web-${n} \\| serving instance ${PROJECT}-web-${n} on 10\\.213\\.`, 'm'));
});

test('a server stopped: the proxy keeps answering from the others', async () => {
  b.ok(['stop', `${PROJECT}-web-2`]);
  const seen = await askMany(20);
  assert.ok(!seen.has(`${PROJECT}-web-2`));
  assert.deepEqual([...seen.keys()].sort(), [`${PROJECT}-web-1`, `${PROJECT}-web-3`]);
});

test('scaled to 5: the new instances take traffic and the proxy is not recreated', async () => {
  const proxyBefore = ps().find((e) => e.Service === 'proxy')!.ID;
  compose('up', '-d', '--scale', 'web=5');
  const after = ps();
  assert.equal(after.filter((e) => e.Service === 'web').length, 5);
  assert.equal(after.find((e) => e.Service === 'proxy')!.ID, proxyBefore);
  // The proxy re-resolves "web" every second: wait for the new ones rather than for a clock.
  const seen = new Set<string>();
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && !(seen.has(`${PROJECT}-web-4`) && seen.has(`${PROJECT}-web-5`))) {
    try {
      seen.add(await ask());
    } catch {
      // Counted below, once the new replicas are in: this loop only waits for them.
    }
  }
  assert.ok(seen.has(`${PROJECT}-web-4`) && seen.has(`${PROJECT}-web-5`), `answers: ${[...seen].join(', ')}`);
  const counts = await askMany(50);
  assert.equal(counts.size, 5, `answers: ${JSON.stringify([...counts])}`);
});

test('down: nothing of the project remains', () => {
  const ours = jsonLines(b.ok(['network', 'ls', '--format', 'json'])).map((n) => n.Name!).filter((n) => n.startsWith(`${PROJECT}_`));
  assert.deepEqual([...ours].sort(), [`${PROJECT}_private`, `${PROJECT}_public`]);
  const bridges = b.ok(['network', 'inspect', '-f', '{{index .Options "com.docker.network.bridge.name"}}', ...ours]).trim().split('\n');
  assert.ok(bridges.every((br) => br && spawnSync('ip', ['link', 'show', br]).status === 0));
  const ids = ps('-a').map((e) => e.ID);
  assert.equal(ids.length, 6);
  compose('down');
  assert.equal(b.ok(['ps', '-aq']), '');
  for (const id of ids) assert.ok(!existsSync(`/run/netns/berth-${id.slice(0, 12)}`), `namespace of ${id} remains`);
  const left = (jsonLines<{ Name: string }>(b.ok(['network', 'ls', '--format', 'json']))).map((n) => n.Name);
  assert.deepEqual(left.filter((n) => n.includes(PROJECT)), []);
  for (const br of bridges) assert.notEqual(spawnSync('ip', ['link', 'show', br]).status, 0, `bridge ${br} remains`);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(b.root) || l.includes(b.runroot));
  assert.deepEqual(mounts, []);
  const nft = spawnSync('nft', ['list', 'table', 'inet', 'berth'], { encoding: 'utf8' });
  for (const br of bridges) assert.doesNotMatch(nft.stdout ?? '', new RegExp(`"${br}"`));
  assert.equal(b.run(['compose', '-f', file, '-p', PROJECT, 'ps', '-q']).stdout, '');
});
