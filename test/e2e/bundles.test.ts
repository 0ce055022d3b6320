// The two CLI bundles (build.mjs): short commands run build/bundle/berth.cjs, which leaves out
// compose, serve, kube and build; bin/berth.cjs runs berth-full.cjs for those, and berth.cjs's
// stand-ins reach the full bundle for any other way in.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Berth, REPO } from './helpers.js';

const BUNDLES = join(REPO, 'build/bundle');
const b = new Berth();
after(() => b.destroy());

/** main() of one bundle, required directly (no launcher), as the stand-ins would be reached. */
function viaBundle(file: string, args: string[]) {
  const r = spawnSync(process.execPath, ['-e', `require(process.argv[1]).main(process.argv.slice(2)).then((rc) => process.exit(rc))`, join(BUNDLES, file),
    '--root', b.root, '--runroot', b.runroot, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the short-command bundle holds none of the large commands and is the smaller', () => {
  const core = readFileSync(join(BUNDLES, 'berth.cjs'), 'utf8');
  const full = readFileSync(join(BUNDLES, 'berth-full.cjs'), 'utf8');
  for (const dir of ['src/compose/', 'src/api/', 'src/kube/', 'src/builder/', 'src/ui/', 'node_modules/yaml/']) {
    assert.ok(!core.includes(dir), `berth.cjs holds ${dir}`);
    assert.ok(full.includes(dir), `berth-full.cjs lacks ${dir}`);
  }
  assert.ok(core.length < full.length * 0.6, `${core.length} against ${full.length}`);
});

test('full-verbs.json names every verb of the left-out commands', () => {
  const verbs = JSON.parse(readFileSync(join(BUNDLES, 'full-verbs.json'), 'utf8')) as string[];
  assert.deepEqual([...verbs].sort(), ['build', 'completion', 'compose', 'image-build', 'kube-down', 'kube-generate', 'kube-play', 'serve']);
});

test('the launcher runs a left-out verb from the full bundle (its code cache is named for it)', () => {
  const cache = join(BUNDLES, 'v8-cache');
  const caches = () => {
    try {
      return readdirSync(cache).filter((f) => f.includes('-kube-down-'));
    } catch {
      return [];
    }
  };
  for (const f of caches()) rmSync(join(cache, f));
  const r = b.run(['kube', 'down', '--help']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Usage:/);
  assert.deepEqual(caches().map((f) => f.replace(/-\d+-\d+\.bin$/, '')), ['berth-full-kube-down']);
  // `help VERB` is routed as VERB is.
  const h = b.run(['help', 'compose']);
  assert.equal(h.status, 0, h.stderr);
  assert.match(h.stdout, /^Usage: berth compose/);
});

test("berth.cjs's stand-ins run the full bundle's commands: help, a user's error in one line, completion's flags", () => {
  const help = viaBundle('berth.cjs', ['compose', '--help']);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: berth compose/);
  // A BerthError of the other bundle's class is still the user's error: one line, exit 125.
  const bad = viaBundle('berth.cjs', ['compose', '-f', join(b.root, 'missing.yaml'), 'config']);
  assert.equal(bad.status, 125);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /^berth: cannot read compose file [^\n]*missing\.yaml[^\n]*\n$/);
  // serve's and build's flags come from the full bundle's help requests.
  const fromCore = viaBundle('berth.cjs', ['completion', 'bash']);
  const fromFull = viaBundle('berth-full.cjs', ['completion', 'bash']);
  assert.equal(fromCore.status, 0, fromCore.stderr);
  assert.equal(fromCore.stdout, fromFull.stdout);
  assert.match(fromCore.stdout, /--socket/);
});

test('version and ps -a load neither net nor the stream modules (each costs a short command milliseconds)', () => {
  const hook = join(b.root, 'modules.cjs');
  writeFileSync(hook, "process.on('exit', () => require('node:fs').writeSync(2, process.moduleLoadList.join('\\n') + '\\n'));\n");
  for (const verb of [['version'], ['ps', '-a']]) {
    const r = spawnSync(process.execPath, ['-r', hook, join(REPO, 'bin/berth.cjs'), '--root', b.root, '--runroot', b.runroot, ...verb], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const loaded = r.stderr.split('\n');
    assert.ok(loaded.includes('NativeModule fs'), 'the hook saw the module list');
    for (const m of ['NativeModule net', 'NativeModule stream', 'NativeModule internal/streams/readable', 'NativeModule crypto', 'NativeModule zlib']) {
      assert.ok(!loaded.includes(m), `${verb.join(' ')} loads ${m}`);
    }
  }
});
