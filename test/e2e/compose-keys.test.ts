// The compose keys of everyday files, run for real on busybox and checked from inside the
// containers: container_name, hostname, env_file, labels, profiles, extends, interpolation
// from .env and the shell, read_only, network_mode none, deploy.restart_policy,
// depends_on service_completed_successfully, secrets and configs from files, an override
// file; then down leaves nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Berth, sleep, jsonLines } from './helpers.js';

const suffix = Math.random().toString(36).slice(2, 8);
const project = `keys${suffix}`;
let b: Berth;
let dir: string;

before(() => {
  b = new Berth();
  b.importBusybox();
  dir = mkdtempSync('/tmp/berth-compose-keys-');
  writeFileSync(join(dir, '.env'), `IMAGE=localhost/busybox:latest\nGREETING=from-dotenv\nSHELL_WINS=dotenv\n`);
  writeFileSync(join(dir, 'token.txt'), 'tok-123\n');
  writeFileSync(join(dir, 'app.conf'), 'level=3\n');
  writeFileSync(join(dir, 'app.env'), 'FROM_ENV_FILE=yes\nOVERRIDDEN=by-file\n');
  writeFileSync(join(dir, 'base.yaml'), `
services:
  sleeper:
    image: \${IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.2; done"]
    environment:
      INHERITED: from-base
    labels:
      com.example.base: "yes"
`);
  writeFileSync(join(dir, 'compose.yaml'), `
name: \${PROJECT_NAME}
x-common: &common
  stop_grace_period: 2s
  healthcheck:
    disable: true
services:
  init:
    image: \${IMAGE}
    command: ["sh", "-c", "echo seeded > /data/seed"]
    volumes: ["data:/data"]
  app:
    <<: *common
    extends:
      file: base.yaml
      service: sleeper
    container_name: app-\${SUFFIX}
    hostname: apphost
    platform: linux/${process.arch === 'arm64' ? 'arm64' : 'amd64'}
    env_file:
      - app.env
      - path: missing.env
        required: false
    environment:
      OVERRIDDEN: by-compose
      GREETING: \${GREETING}
      SHELL_WINS: \${SHELL_WINS}
      ALT: \${GREETING:+set}
      DEFAULTED: \${NOT_SET_ANYWHERE:-fallback}
    labels:
      com.example.role: app
    annotations:
      org.example.note: recorded
    expose: ["8080"]
    secrets: [token]
    configs: [{ source: conf, target: /etc/app.conf }]
    read_only: true
    volumes: ["data:/data"]
    deploy:
      restart_policy:
        condition: on-failure
        max_attempts: 2
    depends_on:
      init:
        condition: service_completed_successfully
        restart: true
  isolated:
    <<: *common
    extends:
      file: base.yaml
      service: sleeper
    network_mode: none
  debug:
    extends:
      file: base.yaml
      service: sleeper
    profiles: [debug]
volumes:
  data:
secrets:
  token: { file: ./token.txt }
configs:
  conf: { file: ./app.conf }
`);
  writeFileSync(join(dir, 'compose.override.yaml'), `
services:
  app:
    labels:
      com.example.override: "yes"
`);
});

after(() => {
  b.run(['compose', '-p', project, 'down', '-v']);
  b.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const env = { PROJECT_NAME: project, SUFFIX: suffix, SHELL_WINS: 'shell' };
const compose = (args: string[]) =>
  b.run(['compose', '--project-directory', dir, '-f', join(dir, 'compose.yaml'), '-f', join(dir, 'compose.override.yaml'), ...args], { env });

test('a stack with the everyday keys comes up and each key has its effect inside', async () => {
  const up = compose(['up', '-d']);
  assert.equal(up.status, 0, up.stderr);
  const app = `app-${suffix}`;
  const ctrs = jsonLines<{ Name: string; Service: string; State: string }>(compose(['ps', '-a', '--format', 'json']).stdout);
  // container_name replaces PROJECT-app-1; the debug profile is off, so no debug container.
  assert.deepEqual(ctrs.map((c) => c.Name).sort(), [app, `${project}-init-1`, `${project}-isolated-1`].sort());
  assert.equal(ctrs.find((c) => c.Service === 'init')!.State, 'exited');

  assert.equal(b.ok(['exec', app, 'hostname']).trim(), 'apphost');
  const envText = b.ok(['exec', app, 'env']);
  const vars = Object.fromEntries(envText.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  assert.equal(vars.FROM_ENV_FILE, 'yes', 'env_file');
  assert.equal(vars.OVERRIDDEN, 'by-compose', 'environment wins over env_file');
  assert.equal(vars.INHERITED, 'from-base', 'extends from another file');
  assert.equal(vars.GREETING, 'from-dotenv', 'interpolation from .env');
  assert.equal(vars.SHELL_WINS, 'shell', 'the shell wins over .env');
  assert.equal(vars.ALT, 'set');
  assert.equal(vars.DEFAULTED, 'fallback');

  // service_completed_successfully: app started after init wrote the volume.
  assert.equal(b.ok(['exec', app, 'cat', '/data/seed']).trim(), 'seeded');
  // secrets at /run/secrets/NAME, configs at their target, read-only.
  assert.equal(b.ok(['exec', app, 'cat', '/run/secrets/token']).trim(), 'tok-123');
  assert.equal(b.ok(['exec', app, 'cat', '/etc/app.conf']).trim(), 'level=3');
  assert.notEqual(b.run(['exec', app, 'sh', '-c', 'echo x > /run/secrets/token']).status, 0);
  // read_only: the root file system refuses writes; the volume does not.
  assert.notEqual(b.run(['exec', app, 'touch', '/rootfs-write']).status, 0);
  assert.equal(b.run(['exec', app, 'touch', '/data/ok']).status, 0);

  const info = b.inspect(app);
  assert.equal(info.Config.Labels['com.example.role'], 'app');
  assert.equal(info.Config.Labels['com.example.base'], 'yes', 'labels from the extended service');
  assert.equal(info.Config.Labels['com.example.override'], 'yes', 'labels from compose.override.yaml');
  assert.equal(info.Config.Labels['com.docker.compose.project'], project);
  assert.equal(info.HostConfig.ReadonlyRootfs, true);
  assert.deepEqual(info.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });
  assert.equal(info.Config.StopTimeout, 2);

  // depends_on restart: true: restarting init restarts app, which depends on it.
  const startedBefore = info.State.StartedAt;
  await sleep(1100);
  const rs = compose(['restart', 'init']);
  assert.equal(rs.status, 0, rs.stderr);
  assert.match(rs.stderr, new RegExp(`Container ${app}  Restarted`));
  assert.notEqual(b.inspect(app).State.StartedAt, startedBefore);
  assert.doesNotMatch(rs.stderr, /isolated/);

  // network_mode none: only the loopback interface.
  const ifaces = b.ok(['exec', `${project}-isolated-1`, 'ls', '/sys/class/net']).trim().split(/\s+/);
  assert.deepEqual(ifaces, ['lo']);
});

test('--profile brings up the service of that profile; down removes everything', () => {
  const up = compose(['--profile', 'debug', 'up', '-d']);
  assert.equal(up.status, 0, up.stderr);
  const names = (jsonLines<{ Name: string }>(compose(['ps', '-a', '--format', 'json']).stdout)).map((c) => c.Name);
  assert.ok(names.includes(`${project}-debug-1`), names.join(' '));

  const down = compose(['--profile', 'debug', 'down', '-v']);
  assert.equal(down.status, 0, down.stderr);
  const left = jsonLines<unknown>(b.ok(['ps', '-a', '--format', 'json']));
  assert.deepEqual(left, []);
  const nets = (jsonLines<{ Name: string }>(b.ok(['network', 'ls', '--format', 'json']))).map((n) => n.Name);
  assert.deepEqual(nets.filter((n) => n.startsWith(project)), []);
});
