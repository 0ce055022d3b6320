// Attach through `berth serve` with real clients: the docker CLI's run -it and attach in a pty
// (detach with ctrl-p ctrl-q, the terminal's size, the exit code), and dockerode's hijacked
// attach with stdin (multiplexed, the half-close ending stdin), compared with `berth ps`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { Berth, until } from './helpers.js';
import { ApiServer } from './api-helpers.js';
import { Pty } from './pty.js';

interface DContainer {
  id: string;
  start(): Promise<unknown>;
  wait(): Promise<{ StatusCode: number }>;
  attach(o: Record<string, unknown>): Promise<NodeJS.ReadWriteStream & { end(): void }>;
  remove(o?: { force?: boolean }): Promise<unknown>;
}
interface Docker {
  createContainer(o: Record<string, unknown>): Promise<DContainer>;
}
const DockerCtor = createRequire(import.meta.url)('dockerode') as new(o: { socketPath: string }) => Docker;

let b: Berth;
let api: ApiServer;
const PROMPT = /\/ # /;

before(async () => {
  b = new Berth();
  b.importBusybox();
  api = new ApiServer(b);
  await api.start();
});
after(async () => {
  await api.stop();
  b.destroy();
});

const dockerCmd = (args: string) => `env DOCKER_HOST=unix://${api.socket} DOCKER_CONFIG=${api.dockerConfig} DOCKER_CLI_HINTS=false docker ${args}`;

test('docker run -it, detach with ctrl-p ctrl-q, docker attach with its size, exit with a code', async () => {
  const run = new Pty(dockerCmd('run -it --name apiterm busybox sh'), { rows: 30, cols: 90 });
  const at = await run.expect(PROMPT);
  run.type('echo api-$((6*7)); stty size\r');
  await run.expect(/api-42\s+30 90/, at);
  run.type('\x10\x11');
  assert.equal(await run.exited, 0, run.output + api.log);
  const ps = b.ok(['ps']);
  assert.match(ps, /apiterm/);
  assert.equal(b.inspect('apiterm').State.Running, true);

  const att = new Pty(dockerCmd('attach apiterm'), { rows: 25, cols: 100 });
  att.type('stty size\r');
  await att.expect(/25 100/);
  att.type('exit 9\r');
  assert.equal(await att.exited, 9, att.output + api.log);
  await until(() => b.inspect('apiterm').State.Status === 'exited');
  assert.equal(b.inspect('apiterm').State.ExitCode, 9);
  assert.match(b.ok(['logs', 'apiterm']), /api-42/);
});

test('docker run -i with a pipe: stdin reaches the container, its end ends it, the code comes back', () => {
  const r = spawnSync('docker', ['run', '-i', '--name', 'apipipe', 'busybox', 'sh', '-c', 'cat; echo to-err >&2; exit 6'], {
    encoding: 'utf8',
    env: api.env,
    timeout: 60_000,
    input: 'through-the-api\n',
  });
  assert.equal(r.status, 6, r.stderr + api.log);
  assert.equal(r.stdout, 'through-the-api\n');
  assert.equal(r.stderr, 'to-err\n');
});

test('dockerode: hijacked attach with stdin, multiplexed output, the half-close ends stdin', async () => {
  const docker = new DockerCtor({ socketPath: api.socket });
  const ctr = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'read line; echo "got $line"; cat >&2; exit 3'], OpenStdin: true,
    StdinOnce: true, AttachStdin: true, AttachStdout: true, AttachStderr: true, name: 'dode' });
  const stream = await ctr.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true });
  const chunks: Buffer[] = [];
  stream.on('data', (d: Buffer) => chunks.push(d));
  const ended = new Promise((r) => stream.on('end', r));
  await ctr.start();
  stream.write('hello\nrest-to-stderr\n');
  stream.end();
  await ended;
  const buf = Buffer.concat(chunks);
  let stdout = '';
  let stderr = '';
  for (let off = 0; off + 8 <= buf.length;) {
    const len = buf.readUInt32BE(off + 4);
    const text = buf.subarray(off + 8, off + 8 + len).toString();
    if (buf[off] === 1) stdout += text;
    else stderr += text;
    off += 8 + len;
  }
  assert.equal(stdout, 'got hello\n');
  assert.equal(stderr, 'rest-to-stderr\n');
  assert.equal((await ctr.wait()).StatusCode, 3);
  assert.match(b.ok(['ps', '-a']), /Exited \(3\).*dode/);
  await ctr.remove({ force: true });
});

test('docker exec -i: stdin reaches the process, its end ends it; docker exec -it: a pty held by conmon, its size, the exit code', async () => {
  api.dockerOk(['run', '-d', '--name', 'apiexec', 'busybox', 'sleep', '1000']);
  const r = spawnSync('docker', ['exec', '-i', 'apiexec', 'sh', '-c', 'cat; exit 5'], { encoding: 'utf8', env: api.env, timeout: 60_000,
    input: 'exec-stdin\n' });
  assert.equal(r.status, 5, r.stderr + api.log);
  assert.equal(r.stdout, 'exec-stdin\n');
  const t = new Pty(dockerCmd('exec -it apiexec sh'), { rows: 22, cols: 77 });
  await t.expect(PROMPT);
  t.type('tty; stty size; exit 4\r');
  await t.expect(/\/dev\/pts\/\d+\s+22 77/);
  assert.equal(await t.exited, 4, t.output + api.log);
  // The exec's conmon and its files are gone with it.
  const runDir = `${b.runroot}/containers/${b.inspect('apiexec').Id}`;
  await until(() => !existsSync(`${runDir}/exec`) || readdirSync(`${runDir}/exec`).length === 0);
  assert.deepEqual(readdirSync(`${runDir}/attach`).length, 1);
});
