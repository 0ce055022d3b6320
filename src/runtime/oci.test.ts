import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runtimeGlobalArgs } from './select.js';
import { classifyExecFailure, createContainer, cleanRuntimeMessage, conmonArgs, conmonEnv, execArgs, parseSyncMessage, readExitFile, runPaths,
  writeBundle } from './oci.js';
import { isBerthError } from '../common/errors.js';
import type { OciSpec } from './types.js';

const tmp = mkdtempSync('/tmp/berth-oci-');
after(() => rmSync(tmp, { recursive: true, force: true }));
const runc = { name: 'runc' as const, path: '/usr/sbin/runc' };

test('writeBundle writes config.json and leaves no temp file', () => {
  const b = join(tmp, 'bundle');
  const spec = { ociVersion: '1.0.2', hostname: 'h' } as unknown as OciSpec;
  const p = writeBundle(b, spec);
  assert.equal(p, join(b, 'config.json'));
  assert.deepEqual(JSON.parse(readFileSync(p, 'utf8')), spec);
  writeBundle(b, { ...spec, hostname: 'h2' });
  assert.equal((JSON.parse(readFileSync(p, 'utf8')) as { hostname: string }).hostname, 'h2');
  assert.deepEqual(readdirSync(b), ['config.json']);
});

test('conmonArgs: Podman-style, runtime root as one argv, exit command args in order', () => {
  const a = conmonArgs({ id: 'c1', name: 'web', runtime: runc, runtimeRoot: '/run/berth/runc', bundleDir: '/b', runDir: '/r', logPath: '/l/ctr.log',
    exitCommand: { path: '/usr/bin/berth', args: ['--root', '/x', 'cleanup', 'c1'] }, logMaxSize: 1000 });
  const after = (flag: string) => a[a.indexOf(flag) + 1];
  assert.equal(after('-c'), 'c1');
  assert.equal(after('-n'), 'web');
  assert.equal(after('-r'), '/usr/sbin/runc');
  assert.equal(after('-b'), '/b');
  assert.equal(after('-p'), '/r/pidfile');
  assert.equal(after('-P'), '/r/conmon.pid');
  assert.equal(after('-l'), 'k8s-file:/l/ctr.log');
  assert.equal(after('--exit-dir'), '/r/exits');
  assert.equal(after('--log-size-max'), '1000');
  assert.ok(a.includes('--runtime-arg=--root=/run/berth/runc'));
  assert.equal(after('--exit-command'), '/usr/bin/berth');
  const ecArgs = a.flatMap((v, i) => (v === '--exit-command-arg' ? [a[i + 1]] : []));
  assert.deepEqual(ecArgs, ['--root', '/x', 'cleanup', 'c1']);
  assert.ok(!conmonArgs({ id: 'c1', name: 'web', runtime: runc, runtimeRoot: '/x', bundleDir: '/b', runDir: '/r', logPath: '/l' }).includes('--exit-command'));
});

test('rootless runc is told so: conmon passes --rootless=true after the runtime root, and the direct verbs do too', () => {
  const rl = { ...runc, rootless: true as const };
  const a = conmonArgs({ id: 'c1', name: 'web', runtime: rl, runtimeRoot: '/x', bundleDir: '/b', runDir: '/r', logPath: '/l' });
  const rt = a.filter((v) => v.startsWith('--runtime-arg='));
  assert.deepEqual(rt, ['--runtime-arg=--root=/x', '--runtime-arg=--rootless=true']);
  assert.deepEqual(runtimeGlobalArgs(rl, '/x'), ['--root', '/x', '--rootless=true']);
  assert.deepEqual(runtimeGlobalArgs(runc, '/x'), ['--root', '/x']);
  assert.ok(
    !conmonArgs({ id: 'c1', name: 'web', runtime: runc, runtimeRoot: '/x', bundleDir: '/b', runDir: '/r', logPath: '/l' }).includes(
      '--runtime-arg=--rootless=true',
    ),
  );
});

test('parseSyncMessage: pid, failure with message, partial input', () => {
  assert.deepEqual(parseSyncMessage('{"data": 4242}\n'), { data: 4242 });
  assert.deepEqual(parseSyncMessage('{"data": -1, "message": "runc create failed: boom"}\n'), { data: -1, message: 'runc create failed: boom' });
  assert.equal(parseSyncMessage('{"data": 42'), null);
  assert.equal(parseSyncMessage(''), null);
});

test('execArgs: tty only with a TTY stdin; env, cwd, user', () => {
  const o = { runtime: runc, runtimeRoot: '/rr', id: 'c1', args: ['sh', '-c', 'id'], env: ['A=1'], cwd: '/tmp', user: { uid: 1, gid: 2, additionalGids: [3] },
    tty: true };
  assert.deepEqual(execArgs(o, true, '/tmp/l.json').slice(0, 5), ['--root', '/rr', '--log=/tmp/l.json', '--log-format=json', 'exec']);
  assert.deepEqual(execArgs(o, true), ['--root', '/rr', 'exec', '--tty', '--env', 'A=1', '--cwd', '/tmp', '--user', '1:2', '--additional-gids', '3', 'c1', 'sh',
    '-c', 'id']);
  assert.ok(!execArgs(o, false).includes('--tty'));
});

test("readExitFile: null before exit, code and time after, oom flag from conmon's file", () => {
  const run = join(tmp, 'run');
  const p = runPaths(run, 'c1');
  mkdirSync(p.exitDir, { recursive: true });
  assert.equal(readExitFile(run, 'c1'), null);
  writeFileSync(p.exitFile, '');
  assert.equal(readExitFile(run, 'c1'), null);
  writeFileSync(p.exitFile, '137');
  const e = readExitFile(run, 'c1');
  assert.equal(e?.exitCode, 137);
  assert.equal(e?.oomKilled, false);
  assert.ok(e && Math.abs(e.finishedAt.getTime() - Date.now()) < 60_000);
  writeFileSync(p.oomFile, '');
  assert.equal(readExitFile(run, 'c1')?.oomKilled, true);
});

test("runtimeErrors picks error lines from runc's JSON log", async () => {
  const { runtimeErrors } = await import('./exec.js');
  const log = '{"level":"info","msg":"hello","time":"t"}\n{"level":"error","msg":"exec failed: boom","time":"t"}\nnot json\n';
  assert.deepEqual(runtimeErrors(log), ['exec failed: boom']);
  assert.deepEqual(runtimeErrors(''), []);
});

test('classifyExecFailure: 127 for not found, 126 for not executable or anything else', () => {
  const nf = classifyExecFailure('exec failed: unable to start container process: exec: "nope": executable file not found in $PATH', 'nope');
  assert.equal(nf.exitCode, 127);
  assert.equal(nf.code, 'exec.command_not_found');
  assert.match(nf.message, /^nope: /);
  assert.equal(classifyExecFailure('exec: "/bin": permission denied', '/bin').exitCode, 126);
  assert.equal(classifyExecFailure('cannot exec in a stopped container', 'sh').code, 'exec.not_running');
  assert.equal(classifyExecFailure('something odd', 'sh').exitCode, 126);
});

test('cleanRuntimeMessage keeps only logrus msg values', () => {
  assert.equal(cleanRuntimeMessage('time="2026" level=error msg="runc create failed: exec: \\"/x\\": stat /x: no such file"\n'),
    'runc create failed: exec: "/x": stat /x: no such file');
  assert.equal(cleanRuntimeMessage('plain line\n\n'), 'plain line');
});

test('conmonEnv drops socket-activation variables and sets the sync pipe', () => {
  const e = conmonEnv({ PATH: '/bin', BERTH_ROOT: '/r', LISTEN_FDS: '3', LISTEN_PID: '1', NOTIFY_SOCKET: '/n', _OCI_STARTPIPE: '4' });
  assert.deepEqual(e, { PATH: '/bin', BERTH_ROOT: '/r', _OCI_SYNCPIPE: '3' });
});

/** A stand-in conmon: a shell script that follows the sync-pipe protocol as told. */
function fakeConmon(name: string, body: string): string {
  const p = join(tmp, name);
  // Finds the value of -P (conmon pid file) among the arguments, as conmon would.
  writeFileSync(p, `#!/bin/sh\nwhile [ $# -gt 0 ]; do [ "$1" = -P ] && PIDFILE=$2; shift; done\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

function fakeRuntime(name: string, stateJson: string): string {
  const p = join(tmp, name);
  writeFileSync(p, `#!/bin/sh\necho '${stateJson}'\n`);
  chmodSync(p, 0o755);
  return p;
}

const createOpts = (conmonPath: string, runtimePath: string, id: string) => ({
  id,
  name: `n-${id}`,
  runtime: { name: 'runc' as const, path: runtimePath },
  runtimeRoot: join(tmp, id, 'root'),
  bundleDir: join(tmp, id, 'bundle'),
  runDir: join(tmp, id, 'run'),
  logPath: join(tmp, id, 'log'),
  conmonPath,
  timeoutMs: 5000,
});

test('createContainer: pid from the sync pipe, conmon pid from its file, state checked', async () => {
  const conmon = fakeConmon('conmon-ok', 'echo $$ > "$PIDFILE"; printf \'{"data": 4242}\\n\' >&3');
  const rt = fakeRuntime('rt-created', '{"status":"created","pid":4242}');
  const r = await createContainer(createOpts(conmon, rt, 'ok1'));
  assert.equal(r.pid, 4242);
  assert.ok(r.conmonPid > 0);
});

test("createContainer: the runtime's message from the sync pipe becomes the error", async () => {
  const conmon = fakeConmon('conmon-fail', 'printf \'{"data": -1, "message": "time=\\"x\\" level=error msg=\\"runc create failed: boom\\""}\\n\' >&3; exit 1');
  const rt = fakeRuntime('rt-unused', '{}');
  await assert.rejects(createContainer(createOpts(conmon, rt, 'fail1')),
    (e) => isBerthError(e) && e.code === 'runtime.create_failed' && /runc create failed: boom$/.test(e.message) && e.message.includes('n-fail1'));
});

test('createContainer: conmon dying without a word reports its stderr', async () => {
  const conmon = fakeConmon('conmon-bad', 'echo "conmon: unknown option --frob" >&2; exit 1');
  await assert.rejects(createContainer(createOpts(conmon, fakeRuntime('rt-unused2', '{}'), 'bad1')),
    (e) => isBerthError(e) && /unknown option --frob/.test(e.message));
});
