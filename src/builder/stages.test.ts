import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../common/errors.js';
import { copySpec, resolveOwner } from './copy-step.js';
import { parseContainerfile } from './parse.js';
import { runCommand } from './run-step.js';
import { lastStage, splitStages, stageIndex, stepCount } from './stages.js';
import { stageStart, applyInstruction, buildArgs } from './instructions.js';

const code = (c: string) => (e: unknown) => e instanceof BerthError && e.code === c;

describe('stages', () => {
  const file = parseContainerfile(['ARG V=1', 'FROM busybox AS Build', 'RUN true', 'FROM scratch', 'COPY --from=build /a /a', 'CMD ["x"]'].join('\n'));

  it('cuts at FROM, lower-cases AS names, keeps the ARGs before the first FROM apart', () => {
    const { globalArgs, stages } = splitStages(file);
    assert.deepEqual(globalArgs.map((a) => a.text), ['ARG V=1']);
    assert.deepEqual(stages.map((s) => [s.name, s.from.args, s.steps.length]), [['build', 'busybox AS Build', 1], [undefined, 'scratch', 2]]);
    assert.equal(stepCount(stages, 1), 5);
    assert.equal(stepCount(stages, 0), 2);
  });

  it('refuses a file without FROM, an instruction before it, and a malformed FROM', () => {
    assert.throws(() => splitStages(parseContainerfile('ARG A')), /has no FROM/);
    assert.throws(() => splitStages(parseContainerfile('RUN true\nFROM x')), /line 1: RUN before the first FROM/);
    assert.throws(() => splitStages(parseContainerfile('FROM a b c')), /FROM needs an image/);
  });

  it('--target names a stage in any case; a missing one is NotFound; stage refs by name or index', () => {
    const { stages } = splitStages(file);
    assert.equal(lastStage(stages, undefined), 1);
    assert.equal(lastStage(stages, 'BUILD'), 0);
    assert.throws(() => lastStage(stages, 'nope'), code('build.no_target'));
    assert.equal(stageIndex(stages, 'Build'), 0);
    assert.equal(stageIndex(stages, '1'), 1);
    assert.equal(stageIndex(stages, 'busybox'), -1);
  });
});

describe('RUN and COPY lines', () => {
  it('RUN wraps the shell form in SHELL and adds the ARGs that ENV does not shadow', () => {
    const st = stageStart({ id: 'sha256:x', config: { Env: ['PATH=/bin'] } });
    const scope = { args: buildArgs({}, []), cmdFollows: false, warn: () => undefined };
    for (const l of ['ARG A=1', 'ARG PATH=/nope', 'SHELL ["/bin/ash", "-c"]']) applyInstruction(st, parseContainerfile(l)[0]!, scope);
    assert.deepEqual(runCommand(st, parseContainerfile('RUN echo $A')[0]!), { cmd: ['/bin/ash', '-c', 'echo $A'], env: ['PATH=/bin', 'A=1'] });
    assert.deepEqual(runCommand(st, parseContainerfile('RUN ["ls", "-l"]')[0]!).cmd, ['ls', '-l']);
    assert.throws(() => runCommand(st, parseContainerfile('RUN --mount=type=cache true')[0]!), /RUN --mount is not supported/);
  });

  it('COPY: destination against WORKDIR with its trailing slash, flags checked, URLs refused', () => {
    const vars = new Map([['D', 'data']]);
    const c = (l: string) => copySpec(parseContainerfile(l)[0]!, vars, '/app');
    assert.deepEqual(c('COPY --chmod=0640 --chown=1:2 a b $D/'), { sources: ['a', 'b'], dest: '/app/data/', from: undefined, chown: '1:2', chmod: 0o640 });
    assert.equal(c('COPY ["x y", "/"]').dest, '/');
    assert.equal(c('COPY --from=build /out ./bin').from, 'build');
    assert.equal(c('COPY --from=build /out ./bin').dest, '/app/bin');
    assert.throws(() => c('COPY --chmod=u+x a b'), /--chmod wants octal/);
    assert.throws(() => c('COPY --link a b'), /COPY --link is not supported/);
    assert.throws(() => c('COPY a'), /needs a source and a destination/);
    assert.throws(() => c('ADD https://example.com/x /x'), code('build.no_network'));
  });

  it('--chown: numbers as given, names from the image files, a user alone brings its group', () => {
    const files: Record<string, string> = {
      '/etc/passwd': 'root:x:0:0::/root:/bin/sh\nwww:x:33:34::/var/www:/bin/false\n',
      '/etc/group': 'root:x:0:\nstaff:x:50:\n',
    };
    const f = (p: string) => files[p];
    assert.deepEqual(resolveOwner('1000:1001', 1, f), { uid: 1000, gid: 1001 });
    assert.deepEqual(resolveOwner('1000', 1, f), { uid: 1000, gid: 1000 });
    assert.deepEqual(resolveOwner('www', 1, f), { uid: 33, gid: 34 });
    assert.deepEqual(resolveOwner('www:staff', 1, f), { uid: 33, gid: 50 });
    assert.throws(() => resolveOwner('ghost', 7, f),
      (e: unknown) => e instanceof BerthError && e.kind === 'NotFound' && /line 7: --chown: no user "ghost"/.test(e.message));
    assert.throws(() => resolveOwner('www:nogroup', 7, f), /no group "nogroup"/);
    assert.throws(() => resolveOwner('www', 7, () => undefined), /no user "www"/);
  });
});
