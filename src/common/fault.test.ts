import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { VERB_STEPS } from './fault-steps.js';

const mod = fileURLToPath(new URL('./fault.js', import.meta.url));
const at = (fault: string | undefined, verb: string, step: string) =>
  spawnSync(process.execPath, ['--input-type=module', '-e',
    `const f = await import(${JSON.stringify(mod)}); f.faultVerb(${JSON.stringify(verb)}); f.step(${JSON.stringify(step)}); console.log('alive');`], {
    encoding: 'utf8',
    env: envWith(fault),
  });

function envWith(fault: string | undefined): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.BERTH_FAULT;
  return fault === undefined ? env : { ...env, BERTH_FAULT: fault };
}

test('BERTH_FAULT=verb:step kills the process with SIGKILL at that step of that verb only', () => {
  assert.equal(at('run:start.mounted', 'run', 'start.mounted').signal, 'SIGKILL');
  assert.equal(at('run:start.mounted', 'start', 'start.mounted').stdout, 'alive\n', 'another verb passes the same step');
  assert.equal(at('run:start.mounted', 'run', 'start.network').stdout, 'alive\n');
  assert.equal(at(undefined, 'run', 'start.mounted').stdout, 'alive\n');
});

test('the registry names each step once per verb', () => {
  for (const [verb, steps] of Object.entries(VERB_STEPS)) assert.equal(new Set(steps).size, steps.length, verb);
});
