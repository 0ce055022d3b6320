// Interactive containers held by conmon: run -it in a real pty, detach with ctrl-p ctrl-q,
// attach again, the terminal's size, start -a -i, run -i with a pipe, start -a without replay,
// a run -it --rm detached from and removed at its later exit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Berth, BIN, until } from './helpers.js';
import { Pty } from './pty.js';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

let b: Berth;
const cli = () => `${BIN} --root ${b.root} --runroot ${b.runroot}`;
const PROMPT = /\/ # /;

before(() => {
  b = new Berth();
  b.importBusybox();
});
after(() => b.destroy());

/** The terminal of this root's `berth attach`, read from /proc. */
function attachTerminal(root: string): string | undefined {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv.includes(root) && argv.includes('attach')) return readlinkSync(`/proc/${pid}/fd/0`);
    } catch { /* gone */ }
  }
  return undefined;
}

function status(name: string): string {
  const ps = b.ok(['ps', '-a']).split('\n').find((l) => l.trimEnd().split(/\s{2,}/).includes(name)) ?? '';
  return /(Up [^]*?|Exited \(\d+\)[^]*?)\s{2,}/.exec(ps)?.[1] ?? ps;
}

test('run -it under conmon: type, detach with ctrl-p ctrl-q, attach again with its size, exit with a code', async () => {
  const run = new Pty(`${cli()} run -it --name term1 busybox sh`);
  const at = await run.expect(PROMPT);
  run.type('echo hel""lo-$((6*7))\r');
  await run.expect(/hello-42/, at);
  run.type('\x10\x11');
  assert.equal(await run.exited, 0, run.output);
  assert.match(status('term1'), /^Up /);
  assert.equal(b.inspect('term1').State.Running, true);

  const att = new Pty(`${cli()} attach term1`, { rows: 33, cols: 111 });
  // Nothing is replayed on attach; a key brings the prompt back.
  att.type('stty size\r');
  const from = await att.expect(/33 111/);
  // The user's terminal changes size: the kernel sends berth SIGWINCH, and the container's pty follows.
  const pts = await until(() => attachTerminal(b.root));
  spawnSync('stty', ['-F', pts, 'rows', '41', 'cols', '99']);
  att.type('stty size\r');
  await att.expect(/41 99/, from);
  att.type('exit 7\r');
  assert.equal(await att.exited, 7, att.output);
  await until(() => /^Exited \(7\)/.test(status('term1')));
  // conmon kept the log of the terminal too.
  assert.match(b.ok(['logs', 'term1']), /hello-42/);

  const again = new Pty(`${cli()} start -a -i term1`);
  await again.expect(PROMPT);
  again.type('exit 3\r');
  assert.equal(await again.exited, 3, again.output);
});

test('run -it --rm detached from with ctrl-p ctrl-q is still removed when it exits later', async () => {
  const run = new Pty(`${cli()} run -it --rm --name detached-rm busybox sh`);
  const at = await run.expect(PROMPT);
  run.type('echo still-""here\r');
  await run.expect(/still-here/, at);
  run.type('\x10\x11');
  assert.equal(await run.exited, 0, run.output);
  assert.equal(b.inspect('detached-rm').State.Running, true);
  assert.equal(b.inspect('detached-rm').HostConfig.AutoRemove, true);
  // It exits with nobody attached: conmon's exit callback is what removes it.
  const att = new Pty(`${cli()} attach detached-rm`);
  att.type('exit 6\r');
  assert.equal(await att.exited, 6, att.output);
  await until(() => b.run(['inspect', 'detached-rm']).status === 125);
  assert.equal(b.ok(['ps', '-aq', '--filter', 'name=detached-rm']), '');
});

test('start -a shows only the new run, not the earlier log', () => {
  assert.equal(b.ok(['run', '--name', 'once', 'busybox', 'echo', 'first-run']), 'first-run\n');
  const r = b.run(['start', '-a', 'once']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'first-run\n');
  assert.equal(b.ok(['logs', 'once']), 'first-run\nfirst-run\n');
});

test('run -i with a pipe: stdin reaches the container, its end ends cat, the code comes back, --rm removes it', () => {
  const r = b.run(['run', '-i', '--rm', '--name', 'piped', 'busybox', 'sh', '-c', 'cat; echo err >&2; exit 4'], { input: 'from-the-pipe\n' });
  assert.equal(r.status, 4, r.stderr);
  assert.equal(r.stdout, 'from-the-pipe\n');
  assert.equal(r.stderr, 'err\n');
  assert.equal(b.run(['inspect', 'piped']).status, 125);
});

test('bad input: one line, exit 125, nothing made', () => {
  const keys = b.run(['run', '-i', '--name', 'badkeys', '--detach-keys', 'ctrl-', 'busybox', 'true'], { input: '' });
  assert.equal(keys.status, 125);
  assert.match(keys.stderr, /^berth: invalid detach keys \(ctrl-\) provided\n/);
  assert.equal(b.run(['inspect', 'badkeys']).status, 125);
  b.ok(['create', '--name', 'stopped1', 'busybox', 'true']);
  const st = b.run(['attach', 'stopped1']);
  assert.equal(st.status, 125);
  assert.match(st.stderr, /^berth: cannot attach to a stopped container stopped1, start it first\n/);
  const tty = b.run(['run', '-it', 'busybox', 'true'], { input: '' });
  assert.equal(tty.status, 125);
  assert.match(tty.stderr, /^berth: the input device is not a TTY\n/);
});

test('exec -d runs detached (it used to be ignored); exec -it gets a pty; exit codes as Docker', async () => {
  b.ok(['run', '-d', '--name', 'exhost', 'busybox', 'sleep', '1000']);
  // The detached process waits for a file we create after exec -d has returned: it cannot have
  // been waited for.
  const d = b.run(['exec', '-d', 'exhost', 'sh', '-c', 'while [ ! -e /tmp/go ]; do sleep 0.05; done; echo done > /tmp/marker']);
  assert.equal(d.status, 0, d.stderr);
  assert.equal(d.stdout, '');
  assert.match(b.ok(['exec', 'exhost', 'ps']), /while \[/);
  b.ok(['exec', 'exhost', 'touch', '/tmp/go']);
  await until(() => b.run(['exec', 'exhost', 'cat', '/tmp/marker']).stdout === 'done\n');
  const missing = b.run(['exec', '-d', 'exhost', 'nosuchcmd']);
  assert.equal(missing.status, 127);
  assert.match(missing.stderr, /^berth: nosuchcmd: command not found in container/);

  const t = new Pty(`${cli()} exec -it exhost sh`, { rows: 20, cols: 70 });
  await t.expect(PROMPT);
  t.type('tty; stty size; exit 5\r');
  await t.expect(/\/dev\/pts\/\d+\s+20 70/);
  assert.equal(await t.exited, 5, t.output);
});
