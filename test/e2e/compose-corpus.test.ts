// `compose config` over compose files written in the styles found in the wild (test/fixtures/
// compose/*/): each is accepted, with exactly the warnings its header lists, or refused with
// exactly the line its header gives, which names every key berth does not run. What is
// accepted must read back to itself: the printed model, given again with -f, prints the same.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { Berth, BIN, REPO } from './helpers.js';

const CORPUS = join(REPO, 'test/fixtures/compose');
const b = new Berth();
after(() => b.destroy());

/** The environment of a user with no COMPOSE_* variables of their own. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COMPOSE_')));

function config(cwd: string, args: string[]) {
  const r = spawnSync(BIN, ['--root', b.root, '--runroot', b.runroot, 'compose', ...args, 'config'], { cwd, encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Expect {
  ok: boolean;
  line?: string;
  args: string[];
  warnings: string[];
}

function header(file: string): Expect {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('# '));
  const get = (k: string) => lines.filter((l) => l.startsWith(`# ${k}: `)).map((l) => l.slice(k.length + 4));
  const expect = get('expect')[0];
  assert.ok(expect, `${file} has no "# expect:" line`);
  return { ok: expect === 'ok', ...(expect === 'ok' ? {} : { line: expect }), args: (get('args')[0] ?? '').split(' ').filter(Boolean), warnings: get('warn') };
}

const cases = readdirSync(CORPUS).sort();

test('the corpus is of a useful size', () => {
  assert.ok(cases.length >= 20, `only ${cases.length} fixtures`);
});

for (const name of cases) {
  const dir = join(CORPUS, name);
  const file = ['compose.yaml', 'docker-compose.yml'].map((f) => join(dir, f)).find(existsSync)!;
  test(`compose config: ${name}`, { skip: name === 'platform' && process.arch !== 'x64' ? 'the fixture names linux/amd64 as the host' : false }, () => {
    const e = header(file);
    const r = config(dir, e.args);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: ')).map((l) => l.slice('warning: '.length));
    if (!e.ok) {
      assert.equal(r.status, 125, `${name}: expected a refusal, got ${r.status}\n${r.stdout}`);
      assert.equal(r.stderr.split('\n')[0], e.line);
      assert.doesNotMatch(r.stderr, /internal error/);
      return;
    }
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    assert.deepEqual(warnings, e.warnings);
    const model = parse(r.stdout) as { name: string; services: Record<string, unknown> };
    assert.ok(model.name && Object.keys(model.services).length > 0);
    const again = join(b.root, `${name}.yaml`);
    writeFileSync(again, r.stdout);
    const r2 = config(dir, ['-f', again, '-p', model.name, ...e.args]);
    assert.equal(r2.status, 0, r2.stderr);
    assert.equal(r2.stdout, r.stdout, `${name}: the printed model does not read back to itself`);
  });
}

// Golden files: what `docker compose config` (v2) prints for these files, by compose-go's
// rules (sorted maps, long syntax, defaults filled in, absolute paths), with ${DIR} for the
// fixture's directory. Kept by hand: a change to the output must be a deliberate one.
for (const name of cases.filter((n) => existsSync(join(CORPUS, n, 'config.golden.yaml')))) {
  test(`compose config matches the golden model: ${name}`, () => {
    const dir = join(CORPUS, name);
    const r = config(dir, []);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(dir, 'config.golden.yaml'), 'utf8').replaceAll('${DIR}', dir));
  });
}

test('golden files cover the usual shapes', () => {
  assert.ok(cases.filter((n) => existsSync(join(CORPUS, n, 'config.golden.yaml'))).length >= 4);
});

/** What some files are for, checked in the model they print. */
function model(name: string, args: string[] = []): any {
  const r = config(join(CORPUS, name), args);
  assert.equal(r.status, 0, r.stderr);
  return parse(r.stdout);
}

test('override: compose.override.yaml beside compose.yaml is merged by Compose rules', () => {
  const m = model('override');
  const web = m.services.web;
  const dir = join(CORPUS, 'override');
  assert.deepEqual(web.command, ['serve', '--reload']);
  assert.deepEqual(web.environment, { MODE: 'development', WORKERS: '4' });
  assert.deepEqual(web.ports.map((p: any) => `${p.published}:${p.target}`), ['80:8000', '8000:8000']);
  // Same target: the override's volume replaces the base's.
  assert.deepEqual(web.volumes, [{ type: 'bind', source: join(dir, 'src'), target: '/srv/static', bind: { create_host_path: true } }]);
  assert.ok(m.services.debug);
  // -f names the files, and then no override is picked up.
  assert.equal(model('override', ['-f', 'compose.yaml']).services.debug, undefined);
});

test('!reset drops a value and !override replaces it whole', () => {
  const app = model('reset-override').services.app;
  assert.equal(app.ports, undefined);
  assert.deepEqual(app.environment, { MODE: 'production' });
  assert.deepEqual(app.labels, { 'com.example.team': 'dev' });
});

test('profiles: off unless activated, by --profile or by naming the service', () => {
  assert.deepEqual(Object.keys(model('profiles').services).sort(), ['app']);
  assert.deepEqual(Object.keys(model('profiles', ['--profile', 'debug']).services).sort(), ['adminer', 'app']);
  assert.deepEqual(Object.keys(model('profiles', ['--profile', 'mail', '--profile', 'debug']).services).sort(), ['adminer', 'app', 'mailhog']);
  const r = spawnSync(BIN, ['--root', b.root, '--runroot', b.runroot, 'compose', 'config'], { cwd: join(CORPUS, 'profiles'), encoding: 'utf8',
    env: { ...env, COMPOSE_PROFILES: '*' } });
  assert.equal(Object.keys((parse(r.stdout)).services).length, 3);
});

test('interpolation: .env, defaults, alternatives, $$ and the shell winning over .env', () => {
  const m = model('interpolation');
  assert.equal(m.name, 'shop');
  assert.equal(m.services.web.image, 'example/shop:3.2');
  assert.equal(m.services.web.ports[0].published, '8080');
  // Printed with $$ so that it reads back as a literal $.
  assert.deepEqual(m.services.web.environment, { PRICE: '$$5', DEBUG: 'enabled', REGION: 'eu' });
  const r = spawnSync(BIN, ['--root', b.root, '--runroot', b.runroot, 'compose', 'config'], { cwd: join(CORPUS, 'interpolation'), encoding: 'utf8',
    env: { ...env, TAG: '4.0', STACK_NAME: 'Other' } });
  const m2 = parse(r.stdout);
  assert.equal(m2.name, 'other');
  assert.equal(m2.services.web.image, 'example/shop:4.0');
  // --env-file replaces .env; a missing one is one line.
  const m3 = model('interpolation', ['--env-file', 'other.env']);
  assert.equal(m3.services.web.image, 'example/shop:9.9');
  assert.equal(m3.services.web.environment.DEBUG, '');
  const r4 = config(join(CORPUS, 'interpolation'), ['--env-file', 'none.env']);
  assert.equal(r4.status, 125);
  assert.equal(r4.stderr, `berth: cannot read env file ${join(CORPUS, 'interpolation/none.env')}: ENOENT\n`);
});

test('extends and include: services from other files, with paths relative to their own files', () => {
  const e = model('extends');
  assert.deepEqual(e.services.api.environment, { LANG: 'C.UTF-8', LOG_LEVEL: 'debug' });
  assert.deepEqual(e.services.worker.command, ['worker']);
  assert.equal(e.services.worker.volumes[0].source, join(CORPUS, 'extends/shared'));
  const i = model('include');
  assert.equal(i.services.db.image, 'postgres:16');
  assert.equal(i.services.db.volumes[0].source, join(CORPUS, 'include/db/init'));
  assert.equal(i.volumes.pgdata.name, 'include_pgdata');
});

test('env_file: several, one optional, under environment', () => {
  assert.deepEqual(model('env-files').services.app.environment, { APP_MODE: 'prod', OVERRIDDEN: 'from-compose', GREETING: 'hello world' });
});

test('config --services, --volumes, --images, -q and --format json', () => {
  const dir = join(CORPUS, 'web-db-cache');
  assert.equal(config(dir, []).status, 0);
  const run = (flags: string[]) =>
    spawnSync(BIN, ['--root', b.root, '--runroot', b.runroot, 'compose', 'config', ...flags], { cwd: dir, encoding: 'utf8', env });
  assert.equal(run(['--services']).stdout, 'proxy\napp\ndb\ncache\n');
  assert.equal(run(['--volumes']).stdout, 'db-data\n');
  assert.equal(run(['--images']).stdout, 'nginx:1.25\nexample/app:2.1\npostgres:16\nredis:7-alpine\n');
  const q = run(['-q']);
  assert.equal(q.status, 0);
  assert.equal(q.stdout, '');
  assert.equal((JSON.parse(run(['--format', 'json']).stdout) as { name: string }).name, 'web-db-cache');
  const bad = run(['--format', 'toml']);
  assert.equal(bad.status, 125);
  assert.equal(bad.stderr.split('\n')[0], 'berth: unknown --format "toml": use yaml or json');
});

test("config: a build-only service prints no image: but --images names PROJECT-SERVICE; --format json drops a service's x- keys", () => {
  const run = (name: string, flags: string[]) =>
    spawnSync(BIN, ['--root', b.root, '--runroot', b.runroot, 'compose', 'config', ...flags], { cwd: join(CORPUS, name), encoding: 'utf8', env });
  assert.equal('image' in (parse(run('flask-build', []).stdout) as { services: { web: object } }).services.web, false);
  assert.equal(run('flask-build', ['--images']).stdout, 'flask-build-web\nredis:alpine\n');
  const j = JSON.parse(run('limits', ['--format', 'json']).stdout) as { services: { app: Record<string, unknown> } } & Record<string, unknown>;
  assert.deepEqual(j['x-owner'], { budget: '$$100', team: 'platform' });
  assert.equal(j.services.app.mem_limit, '67108864');
  assert.equal('x-tier' in j.services.app, false);
});
