import { test } from 'node:test';
import assert from 'node:assert/strict';
import { helpText } from './help.js';
import { HelpRequested, parseArgs, type OptionDef } from './args.js';

const defs: OptionDef[] = [
  { long: 'all', short: 'a', type: 'boolean' },
  { long: 'format', type: 'string', description: 'pretty-print with a template' },
  { long: 'hostname', short: 'h', type: 'string' },
];

test("help lists the verb's usage, summary and every flag it parses, with descriptions", () => {
  const t = helpText('container ls', defs);
  assert.match(t, /^Usage: {2}berth container ls \[OPTIONS\]\n\nList containers\n/);
  assert.match(t, /-a, --all +show all/);
  assert.match(t, /--format string +pretty-print with a template/);
  assert.match(t, /-h, --hostname string/);
  assert.match(t, /--help +print usage/);
});

test('parseArgs hands --help over with its table, and -h only where it names no flag', () => {
  assert.throws(() => parseArgs(['--help'], defs, { command: 'ps' }), (e) => e instanceof HelpRequested && e.defs === defs);
  assert.throws(() => parseArgs(['-h'], [defs[0]!], { command: 'ps' }), HelpRequested);
  assert.deepEqual(parseArgs(['-h', 'x'], defs, { command: 'run' }).values, { hostname: 'x' });
  assert.deepEqual(parseArgs(['img', '--help'], defs, { command: 'run', stopAtPositional: true }).positionals, ['img', '--help'],
    "the container's --help is its own");
  assert.deepEqual(parseArgs(['--help'], [{ long: 'help', type: 'boolean' }], { command: 'compose', ownHelp: true }).values, { help: true });
});
