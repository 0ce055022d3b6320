// berth completion bash|zsh|fish: each script loaded in its real shell. bash's function is called
// with COMP_WORDS set, as bash does on TAB; fish answers complete -C; zsh is typed at in a pty.
// Names come from this test's own root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Berth, BIN } from './helpers.js';
import { Pty } from './pty.js';

let b: Berth;
let script: string;
before(() => {
  b = new Berth();
  b.importBusybox();
  b.ok(['create', '--name', 'compweb', '--network', 'none', 'busybox', 'true']);
  b.ok(['create', '--name', 'compdb', '--network', 'none', 'busybox', 'true']);
  b.ok(['network', 'create', 'compnet']);
  b.ok(['volume', 'create', 'compvol']);
  script = join(b.root, 'berth.bash');
  writeFileSync(script, b.ok(['completion', 'bash']));
});
after(() => {
  b.run(['rm', '-f', 'compweb', 'compdb']);
  b.run(['network', 'rm', 'compnet']);
  b.destroy();
});

/** The candidates bash would offer for `words`, the last one being the word under the cursor. */
function complete(...words: string[]): string[] {
  const quoted = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('bash', ['--norc', '-c',
    `source "$1"; COMP_WORDS=(${quoted}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _berth_complete; printf '%s\\n' "\${COMPREPLY[@]}"`, 'bash', script], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dirname(BIN)}:${process.env['PATH'] ?? ''}` },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout.split('\n').filter(Boolean).sort();
}
const R = () => ['--root', b.root, '--runroot', b.runroot];

test('the script loads in bash and registers itself for berth', () => {
  const r = spawnSync('bash', ['--norc', '-c', 'source "$1" && complete -p berth', 'bash', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'complete -F _berth_complete berth');
});

test('verbs, sub-verbs and global flags', () => {
  assert.deepEqual(complete('berth', 'ev'), ['events']);
  assert.deepEqual(complete('berth', 're'), ['rename', 'restart']);
  assert.deepEqual(complete('berth', 'network', 'c'), ['connect', 'create']);
  assert.deepEqual(complete('berth', 'volume', ''), ['create', 'inspect', 'list', 'ls', 'prune', 'remove', 'rm']);
  assert.deepEqual(complete('berth', '--ro'), ['--root']);
  assert.deepEqual(complete('berth', '--debug', 'comp'), ['completion', 'compose']);
});

test("flags are each verb's own, the very table its parser reads", () => {
  assert.deepEqual(complete('berth', 'events', '--'), ['--filter', '--format', '--help', '--since', '--until']);
  assert.deepEqual(complete('berth', 'rm', '-'), ['--force', '--help', '--volumes', '-f', '-v']);
  // Against the verb's --help: nothing the parser accepts is missing, nothing extra is offered.
  for (const verb of [['run'], ['ps'], ['network', 'create'], ['volume', 'ls'], ['logs']]) {
    const help = b.ok([...verb, '--help']);
    const offered = complete('berth', ...verb, '-');
    const flagsInHelp = [...help.matchAll(/^\s+(?:(-\w), )?(--[\w-]+)(?:, (--[\w-]+))?/gm)].flatMap((m) =>
      [m[1], m[2], m[3]].filter((x): x is string => x !== undefined)
    );
    assert.ok(flagsInHelp.length > 2, help);
    assert.deepEqual(offered, [...new Set(flagsInHelp)].sort(), verb.join(' '));
  }
});

test('names of containers, images, networks and volumes of the root the user named', () => {
  assert.deepEqual(complete('berth', ...R(), 'start', 'comp'), ['compdb', 'compweb']);
  assert.deepEqual(complete('berth', ...R(), 'rm', '-f', 'compweb', 'comp'), ['compdb', 'compweb'], 'rm takes many');
  assert.deepEqual(complete('berth', ...R(), 'rename', 'compweb', ''), [], "the new name is the user's");
  assert.deepEqual(complete('berth', ...R(), 'rmi', 'bus'), ['busybox:latest']);
  assert.deepEqual(complete('berth', ...R(), 'run', '--name', 'x', '-e', 'A=1', 'bus'), ['busybox:latest'], "a flag's value is not the image");
  assert.deepEqual(complete('berth', ...R(), 'network', 'rm', 'comp'), ['compnet']);
  assert.deepEqual(complete('berth', ...R(), 'network', 'connect', 'compnet', 'compw'), ['compweb']);
  assert.deepEqual(complete('berth', ...R(), 'volume', 'inspect', 'c'), ['compvol']);
  // stop offers only running containers: these two were only created.
  assert.deepEqual(complete('berth', ...R(), 'stop', 'comp'), []);
});

test('a shell berth has no script for is refused', () => {
  const r = b.run(['completion', 'tcsh']);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /^berth: "berth completion" requires one argument: bash, zsh or fish\n/);
});

/** What fish offers for `line` (the cursor at its end), its own `complete -C`, one candidate a line without descriptions. */
function fishComplete(line: string): string[] {
  const r = spawnSync('fish', ['-N', '-c', 'source $argv[1]; and complete -C $argv[2]', join(b.root, 'berth.fish'), line], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dirname(BIN)}:${process.env['PATH'] ?? ''}` },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]!).sort();
}

test('fish: the script loads and completes verbs, sub-verbs, flags and the names of the root typed', () => {
  writeFileSync(join(b.root, 'berth.fish'), b.ok(['completion', 'fish']));
  assert.deepEqual(fishComplete('berth ev'), ['events']);
  assert.deepEqual(fishComplete('berth network c'), ['connect', 'create']);
  assert.deepEqual(fishComplete('berth events --s'), ['--since']);
  assert.deepEqual(fishComplete(`berth ${R().join(' ')} start comp`), ['compdb', 'compweb']);
  assert.deepEqual(fishComplete(`berth ${R().join(' ')} volume inspect c`), ['compvol']);
  assert.deepEqual(fishComplete(`berth ${R().join(' ')} network rm comp`), ['compnet']);
  // The global flags' values are not the verb, and a later word is not one either.
  assert.ok(fishComplete(`berth ${R().join(' ')} ver`).includes('version'));
  assert.deepEqual(fishComplete('berth run busybox ps --fo'), [], "ps's --format is not run's");
  assert.deepEqual(fishComplete('berth ps --fo'), ['--format']);
});

test('zsh: the script loads after compinit and TAB completes verbs and the names of the root typed', async () => {
  const dir = join(b.root, 'zdot');
  mkdirSync(dir);
  writeFileSync(join(dir, 'berth.zsh'), b.ok(['completion', 'zsh']));
  writeFileSync(join(dir, '.zshrc'), `PS1='zsh%% '\nautoload -U compinit && compinit -u -D\nsource ${dir}/berth.zsh\n`);
  const pty = new Pty(`ZDOTDIR=${dir} PATH=${dirname(BIN)}:$PATH zsh -i`, { cols: 200 });
  try {
    let at = await pty.expect(/zsh% /);
    // Each line is cleared with ^U, not ^C: an interrupt would flush what is typed after it.
    pty.type('berth ev\t');
    at = await pty.expect(/ents /, at);
    // Two candidates: zsh lists them under the line.
    pty.type(`\x15berth ${R().join(' ')} rm comp\t`);
    at = await pty.expect(/compdb\s+compweb/, at);
    pty.type(`\x15berth ${R().join(' ')} network rm comp\t`);
    await pty.expect(/net /, at);
    pty.type('\x15exit\n');
    assert.equal(await pty.exited, 0);
  } finally {
    pty.kill();
  }
});
