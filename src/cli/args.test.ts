import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, type OptionDef } from './args.js';
import { BerthError } from '../common/errors.js';

const defs: OptionDef[] = [
  { long: 'detach', short: 'd', type: 'boolean' },
  { long: 'interactive', short: 'i', type: 'boolean' },
  { long: 'tty', short: 't', type: 'boolean' },
  { long: 'env', short: 'e', type: 'string', multiple: true },
  { long: 'memory', short: 'm', type: 'string' },
  { long: 'publish', short: 'p', type: 'string', multiple: true },
];

test('stops at the first positional and leaves the rest to the container', () => {
  const r = parseArgs(['-d', '-e', 'A=1', '--env=B=2', '-m64m', 'img', 'sh', '-c', 'echo -d'], defs, { stopAtPositional: true, command: 'run' });
  assert.deepEqual(r.values, { detach: true, env: ['A=1', 'B=2'], memory: '64m' });
  assert.deepEqual(r.positionals, ['img', 'sh', '-c', 'echo -d']);
});

test('groups short booleans and takes a trailing value', () => {
  const r = parseArgs(['-dit', '-p8080:80', 'x'], defs, { command: 'run' });
  assert.equal(r.values.detach, true);
  assert.equal(r.values.tty, true);
  assert.deepEqual(r.values.publish, ['8080:80']);
});

test('unknown flags and missing values are user errors', () => {
  assert.throws(() => parseArgs(['--nope'], defs, { command: 'run' }), (e: unknown) => e instanceof BerthError && /unknown flag: --nope/.test(e.message));
  assert.throws(() => parseArgs(['-m'], defs, { command: 'run' }), BerthError);
});

test('-- ends the options', () => {
  const r = parseArgs(['-d', '--', '-x'], defs, { command: 'rm' });
  assert.deepEqual(r.positionals, ['-x']);
});
