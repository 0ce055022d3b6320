import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classicLine } from './build.js';
import { checkContext, dockerfileIn } from './build-context.js';

test("the builder's lines in the classic builder's words", () => {
  assert.equal(classicLine('STEP 2/5: RUN make'), 'Step 2/5 : RUN make');
  assert.equal(classicLine('--> 67f10e06daae'), ' ---> 67f10e06daae');
  assert.equal(classicLine('output of RUN'), 'output of RUN');
});

test('an uploaded context with a link out of it, or a device, is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-build-ctx-test-'));
  try {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
    symlinkSync('../Dockerfile', join(dir, 'sub/ok'));
    symlinkSync('nowhere', join(dir, 'dangling-inside'));
    checkContext(dir);
    assert.equal(dockerfileIn(dir, undefined), join(dir, 'Dockerfile'));
    assert.equal(dockerfileIn(dir, 'sub/../Dockerfile'), join(dir, 'Dockerfile'));
    assert.equal(dockerfileIn(dir, '../../Dockerfile'), join(dir, 'Dockerfile'));
    assert.throws(() => dockerfileIn(dir, '../../etc/passwd'), /Cannot locate/);
    assert.throws(() => dockerfileIn(dir, 'missing'), /Cannot locate specified Dockerfile/);
    symlinkSync('/etc', join(dir, 'sub/etc'));
    assert.throws(() => checkContext(dir), /sub\/etc points outside/);
    rmSync(join(dir, 'sub/etc'));
    symlinkSync('../../../../nonexistent', join(dir, 'sub/up'));
    assert.throws(() => checkContext(dir), /sub\/up points outside/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
