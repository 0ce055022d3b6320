// Every verb answers --help with its usage and flags, exit 0, and does nothing else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Berth, REPO } from './helpers.js';
import { documentedVerbs } from '../../src/cli/help.js';

let b: Berth;
before(() => {
  b = new Berth();
  b.importBusybox();
});
after(() => b.destroy());

const VERBS = [
  'run',
  'create',
  'start',
  'stop',
  'restart',
  'kill',
  'rm',
  'ps',
  'logs',
  'exec',
  'inspect',
  'wait',
  'cp',
  'diff',
  'pause',
  'unpause',
  'port',
  'rename',
  'top',
  'stats',
  'update',
  'info',
  'images',
  'rmi',
  'import',
  'history',
  'save',
  'load',
  'tag',
  'build',
  'commit',
  'export',
  'pull',
  'push',
  'login',
  'logout',
  'container ls',
  'container prune',
  'healthcheck run',
  'container cp',
  'image ls',
  'image inspect',
  'image prune',
  'network create',
  'network ls',
  'network rm',
  'network prune',
  'network connect',
  'volume create',
  'volume ls',
  'volume inspect',
  'volume rm',
  'volume prune',
  'system df',
  'system prune',
  'system info',
  'serve',
  'system check',
  'system boot',
  'events',
  'attach',
];

test("VERB --help prints usage, a summary and the verb's own flags, and exits 0", () => {
  for (const v of VERBS) {
    const r = b.run([...v.split(' '), '--help']);
    assert.equal(r.status, 0, `${v} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^Usage: {2}berth ${v} `), v);
    assert.match(r.stdout, /--help +print usage/, v);
    // Each flag says what it does: a flag line that ends at its type has no description.
    const bare = r.stdout.split('\n').filter((l) => /^ {2}(-\w, | {4})--[\w-]+( \w+)? *$/.test(l));
    assert.deepEqual(bare, [], `${v} --help: flags without a description`);
    assert.equal(r.stderr, '', v);
  }
});

test('run --help needs no image; ps --help lists no containers; flags of the table are shown with descriptions', () => {
  b.ok(['create', '--name', 'made-before', 'busybox', 'true']);
  const run = b.run(['run', '--help']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /-m, --memory string +memory limit/);
  assert.match(run.stdout, /-p, --publish list/);
  const ps = b.ok(['ps', '-a', '--help']);
  assert.doesNotMatch(ps, /made-before|CONTAINER ID/);
  assert.match(ps, /-a, --all/);
  assert.equal(b.ok(['help', 'ps']), b.ok(['ps', '--help']));
  assert.match(b.ok(['help', 'volume', 'ls']), /^Usage: {2}berth volume ls/);
  assert.match(b.ok(['--help']), /cp, diff, pause, unpause, port, rename, top, stats, update/);
});

test("--help after the image is the container's own argument", () => {
  const r = b.run(['run', '--rm', '--network', 'none', 'busybox', 'echo', '--help']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '--help\n');
});

test('an unknown flag is still one line and 125', () => {
  const r = b.run(['pause', '--bogus', 'x']);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /^berth: unknown flag: --bogus\nhint: see 'berth pause --help'\n$/);
});

// docs/cli.md is every verb's --help, so it comes from the same tables; BERTH_WRITE_DOCS=1 rewrites it.
test('docs/cli.md is the help of every verb, as generated from their flag tables', () => {
  const parts = ["# berth's commands", '', "Generated from each verb's flag table (`berth VERB --help`); do not edit by hand.", ''];
  for (const v of documentedVerbs()) {
    const r = b.run([...v.split(' '), '--help']);
    assert.equal(r.status, 0, `${v}: ${r.stderr}`);
    parts.push(`## ${v}`, '', '```', r.stdout.trimEnd(), '```', '');
  }
  const doc = parts.join('\n');
  const file = join(REPO, 'docs/cli.md');
  if (process.env.BERTH_WRITE_DOCS === '1') writeFileSync(file, doc);
  assert.equal(readFileSync(file, 'utf8'), doc, 'docs/cli.md is out of date: run this test with BERTH_WRITE_DOCS=1');
});
