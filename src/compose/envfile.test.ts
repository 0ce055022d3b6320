import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvFile, readEnvFile } from './envfile.js';

const dir = mkdtempSync('/tmp/berth-envfile-test-');
after(() => rmSync(dir, { recursive: true, force: true }));

test('parseEnvFile reads KEY=VALUE lines, quotes, comments and export', () => {
  assert.deepEqual(parseEnvFile('# c\nA=1\nexport B="two words"\n\nC=\'x $A\'\nD=v # comment\nE=a#b\nF=\n', 'f'), { A: '1', B: 'two words', C: 'x $A', D: 'v',
    E: 'a#b', F: '' });
});

test('parseEnvFile expands ${VAR} from lines above and the environment, not in single quotes', () => {
  assert.deepEqual(parseEnvFile('A=1\nB=${A}-${HOST_V}\nC="$A\\n"\nD=\'$A\'\n', 'f', { HOST_V: 'h' }), { A: '1', B: '1-h', C: '1\n', D: '$A' });
});

test('parseEnvFile takes a bare KEY from the environment, or leaves it out', () => {
  assert.deepEqual(parseEnvFile('SET\nUNSET\n', 'f', { SET: 'yes' }), { SET: 'yes' });
});

test('parseEnvFile reads quoted values over several lines and refuses broken lines', () => {
  assert.deepEqual(parseEnvFile('K="a\nb"\nL=2\n', 'f'), { K: 'a\nb', L: '2' });
  assert.throws(() => parseEnvFile('K="a\n', 'my.env'), /my\.env: line 2: unterminated double quote in K/);
  assert.throws(() => parseEnvFile('not a line\n', 'my.env'), /my\.env: line 1: expected KEY=VALUE/);
});

test('readEnvFile refuses a missing file unless it is not required', () => {
  const p = join(dir, 'a.env');
  writeFileSync(p, 'X=1\n');
  assert.deepEqual(readEnvFile(p, { required: true }), { X: '1' });
  assert.deepEqual(readEnvFile(join(dir, 'none.env'), { required: false }), {});
  assert.throws(() => readEnvFile(join(dir, 'none.env'), { required: true, where: 'services.web.env_file', hint: 'h' }),
    /services\.web\.env_file: cannot read env file .*none\.env: ENOENT/);
});
