// berth serve itself: its flags, plain TCP only on loopback, mutual TLS, the socket's mode, and
// a socket left behind by a dead server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Berth, BIN, until } from './helpers.js';
import { ApiServer } from './api-helpers.js';
import { freePort } from './registry-helpers.js';

let b: Berth;
let pki: string;
before(() => {
  b = new Berth();
  pki = mkdtempSync('/tmp/berth-test-pki-');
});
after(() => {
  b.destroy();
  rmSync(pki, { recursive: true, force: true });
});

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: pki, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, all signed by it. */
function makePki(): void {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=berth test CA']);
  writeFileSync(join(pki, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(pki, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}-key.pem`, '-out', `${who}.csr`, '-subj', `/CN=${who}`]);
    openssl(['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${who}.pem`, '-days', '1', '-extfile',
      `${who}.ext`]);
  }
}

function serve(args: string[]) {
  return spawnSync(BIN, ['--root', b.root, '--runroot', b.runroot, 'serve', ...args], { encoding: 'utf8', timeout: 10_000 });
}

test('plain TCP is refused off loopback, and incomplete TLS flags too: one line, exit 125', () => {
  for (const args of [['--tcp', '0.0.0.0:2375'], ['--tcp', '10.1.2.3:2375'], ['--tcp', '127.0.0.1:2375', '--tls-cert', 'x'], ['--tcp', 'nonsense'], [
    '--bogus',
  ]]) {
    const r = serve(args);
    assert.equal(r.status, 125, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^berth: /);
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('berth:')).length, 1);
  }
  assert.match(serve(['--tcp', '0.0.0.0:2375']).stderr, /without TLS/);
});

async function withServer(args: string[], fn: () => Promise<void> | void): Promise<void> {
  const p = spawn(BIN, ['--root', b.root, '--runroot', b.runroot, 'serve', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  p.stderr.on('data', (d: Buffer) => {
    log += d.toString();
  });
  try {
    await until(() => /listening/.test(log) || p.exitCode !== null, 15_000);
    assert.match(log, /listening/, log);
    await fn();
  } finally {
    const exited = new Promise((r) => p.once('exit', r));
    if (p.exitCode === null) p.kill('SIGTERM');
    await exited;
  }
}

test('plain TCP on loopback serves the docker CLI', async () => {
  const port = await freePort();
  await withServer(['--tcp', `127.0.0.1:${port}`], () => {
    const r = spawnSync('docker', ['-H', `tcp://127.0.0.1:${port}`, 'version', '--format', '{{.Server.APIVersion}}'], { encoding: 'utf8',
      env: { ...process.env, DOCKER_CONFIG: pki } });
    assert.equal(r.stdout.trim(), '1.44', r.stderr);
  });
});

test('mutual TLS: a client with a certificate of the CA gets in, one without does not', async () => {
  makePki();
  const port = await freePort();
  const p = (f: string) => join(pki, f);
  await withServer(['--tcp', `127.0.0.1:${port}`, '--tls-cert', p('server.pem'), '--tls-key', p('server-key.pem'), '--tls-client-ca', p('ca.pem')], () => {
    const env = { ...process.env, DOCKER_CONFIG: pki };
    const ok = spawnSync('docker', ['-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', p('ca.pem'), '--tlscert', p('client.pem'), '--tlskey',
      p('client-key.pem'), 'version', '--format', '{{.Server.APIVersion}}'], { encoding: 'utf8', env });
    assert.equal(ok.stdout.trim(), '1.44', ok.stderr);
    const anon = spawnSync('docker', ['-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', p('ca.pem'), 'version', '--format',
      '{{.Server.APIVersion}}'], { encoding: 'utf8', env, timeout: 20_000 });
    assert.notEqual(anon.status, 0);
    assert.equal(anon.stdout.trim(), '');
  });
});

test("the socket is 0660; a dead server's socket is replaced, a live one is not taken over", async () => {
  const sock = join(b.runroot, 'stale.sock');
  // A socket file with nobody behind it, as a killed server leaves.
  const dead = createServer();
  await new Promise<void>((r) => dead.listen(sock, r));
  const fd = statSync(sock);
  assert.ok(fd.isSocket());
  // close() would unlink it: drop the handle without that.
  const copy = `${sock}.keep`;
  spawnSync('cp', ['-a', sock, copy]);
  await new Promise<void>((r) => dead.close(() => r()));
  spawnSync('mv', [copy, sock]);
  assert.ok(statSync(sock).isSocket(), 'a stale socket is in place');
  const api = new ApiServer(b);
  Object.defineProperty(api, 'socket', { value: sock });
  await api.start();
  try {
    assert.equal(statSync(sock).mode & 0o777, 0o660);
    const second = serve(['--socket', sock]);
    assert.equal(second.status, 125);
    assert.match(second.stderr, /another server is listening/);
  } finally {
    assert.equal(await api.stop(), 0);
  }
  assert.equal(existsSync(sock), false);
});

test('socket activation: the socket systemd passes (fd 3) is served', async () => {
  const sock = join(b.runroot, 'activated.sock');
  const p = spawn('systemd-socket-activate', ['-l', sock, BIN, '--root', b.root, '--runroot', b.runroot, 'serve'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  p.stderr.on('data', (d: Buffer) => {
    log += d.toString();
  });
  try {
    await until(() => existsSync(sock), 10_000);
    const r = spawnSync('docker', ['version', '--format', '{{.Server.APIVersion}}'], { encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: pki } });
    assert.equal(r.stdout.trim(), '1.44', r.stderr + log);
    await until(() => /listening on the socket systemd passed/.test(log), 5000);
  } finally {
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
    rmSync(sock, { force: true });
  }
});
