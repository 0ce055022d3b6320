import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../common/errors.js';
import { chain } from './cache.js';
import { applyInstruction, buildArgs, DEFAULT_SHELL, stageStart, stepVars, type InstructionScope } from './instructions.js';
import { parseContainerfile, type Instruction } from './parse.js';
import type { StepState } from './types.js';

const one = (line: string): Instruction => parseContainerfile(line)[0]!;

/** Applies the lines in order on a state started from `base`; returns the state and the warnings. */
function apply(lines: string[], o: { base?: { id: string; config: object }; given?: Record<string, string>; globals?: string[] } = {}) {
  const st = stageStart(o.base);
  const warnings: string[] = [];
  const args = buildArgs(o.given ?? {}, (o.globals ?? []).map(one));
  const ins = lines.map(one);
  for (const [i, x] of ins.entries()) {
    const scope: InstructionScope = { args, cmdFollows: ins.slice(i).some((s) => s.keyword === 'CMD'), warn: (t) => warnings.push(t) };
    applyInstruction(st, x, scope);
  }
  return { st, warnings, args };
}

const rejects = (lines: string[], re: RegExp) =>
  assert.throws(() => apply(lines), (e: unknown) => e instanceof BerthError && e.kind === 'InvalidArgument' && re.test(e.message));

describe('config instructions', () => {
  it('starts a stage from its base: a copy of its config, the default shell, a key of the base', () => {
    const base = { id: 'sha256:abc', config: { Env: ['A=1'] } };
    const st = stageStart(base);
    assert.deepEqual(st.config, { Env: ['A=1'] });
    assert.notEqual(st.config, base.config);
    assert.deepEqual(st.shell, DEFAULT_SHELL);
    assert.equal(st.key, chain('', 'FROM', 'sha256:abc'));
    assert.notEqual(stageStart(undefined).key, st.key);
    assert.equal(st.dirty, false);
  });

  it('ENV sets, replaces and expands from the values before the instruction', () => {
    const { st } = apply(['ENV A=1 B=2', 'ENV A=x$B C=$A', 'ENV OLD legacy form']);
    assert.deepEqual(st.config.Env, ['B=2', 'A=x2', 'C=1', 'OLD=legacy form']);
    rejects(['ENV NOVALUE'], /needs a value/);
  });

  it('LABEL keeps earlier labels and expands keys and values', () => {
    const { st } = apply(['ENV V=7', 'LABEL a=1 "b c"=two', 'LABEL version=$V a=3']);
    assert.deepEqual(st.config.Labels, { a: '3', 'b c': 'two', version: '7' });
  });

  it('WORKDIR resolves against the previous one', () => {
    const { st } = apply(['WORKDIR /app', 'WORKDIR sub', 'WORKDIR ../other']);
    assert.equal(st.config.WorkingDir, '/app/other');
    rejects(['WORKDIR  '], /WORKDIR needs a path/);
  });

  it('USER and STOPSIGNAL take the expanded word', () => {
    const { st } = apply(['ARG WHO=nobody', 'USER $WHO', 'STOPSIGNAL SIGINT']);
    assert.equal(st.config.User, 'nobody');
    assert.equal(st.config.StopSignal, 'SIGINT');
  });

  it('EXPOSE defaults to tcp, accepts ranges and protocols, refuses junk', () => {
    const { st } = apply(['EXPOSE 80 53/udp', 'EXPOSE 8000-8010/tcp']);
    assert.deepEqual(Object.keys(st.config.ExposedPorts ?? {}).sort(), ['53/udp', '80/tcp', '8000-8010/tcp']);
    rejects(['EXPOSE http'], /invalid port "http"/);
  });

  it('VOLUME takes the JSON and the word forms', () => {
    const { st } = apply(['VOLUME ["/a", "/b"]', 'VOLUME /c /d']);
    assert.deepEqual(Object.keys(st.config.Volumes ?? {}).sort(), ['/a', '/b', '/c', '/d']);
  });

  it('CMD and ENTRYPOINT: the shell form goes through SHELL, the JSON form as written', () => {
    const { st } = apply(['SHELL ["/bin/bash", "-ec"]', 'ENTRYPOINT ["tini", "--"]', 'CMD echo hi']);
    assert.deepEqual(st.shell, ['/bin/bash', '-ec']);
    assert.deepEqual(st.config.Entrypoint, ['tini', '--']);
    assert.deepEqual(st.config.Cmd, ['/bin/bash', '-ec', 'echo hi']);
    rejects(['SHELL /bin/bash -c'], /SHELL needs the JSON form/);
  });

  it('an ENTRYPOINT with no CMD after it drops the inherited CMD; with one, CMD wins', () => {
    const base = { id: 'sha256:b', config: { Cmd: ['sh'] } };
    assert.equal(apply(['ENTRYPOINT ["top"]'], { base }).st.config.Cmd, null);
    assert.deepEqual(apply(['ENTRYPOINT ["top"]', 'CMD ["-b"]'], { base }).st.config.Cmd, ['-b']);
    assert.deepEqual(apply(['CMD ["-b"]'], { base }).st.config.Cmd, ['-b']);
  });

  it('HEALTHCHECK: NONE, CMD in JSON and shell forms, options in nanoseconds', () => {
    assert.deepEqual(apply(['HEALTHCHECK NONE']).st.config.Healthcheck, { Test: ['NONE'] });
    assert.deepEqual(apply(['HEALTHCHECK --interval=5s --timeout=1m30s --start-period=500ms --retries=2 CMD ["true"]']).st.config.Healthcheck, {
      Test: ['CMD', 'true'],
      Interval: 5e9,
      Timeout: 90e9,
      StartPeriod: 5e8,
      Retries: 2,
    });
    assert.deepEqual(apply(['HEALTHCHECK CMD wget -q localhost']).st.config.Healthcheck, { Test: ['CMD-SHELL', 'wget -q localhost'] });
    rejects(['HEALTHCHECK --bogus=1 CMD true'], /unknown HEALTHCHECK option --bogus/);
    rejects(['HEALTHCHECK true'], /needs NONE or CMD/);
  });

  it('config instructions mark the stage dirty, note history and change the key; RUN, COPY, ADD, FROM are left alone', () => {
    const st: StepState = stageStart(undefined);
    const scope: InstructionScope = { args: buildArgs({}, []), cmdFollows: false, warn: () => undefined };
    const key0 = st.key;
    for (const l of ['RUN true', 'COPY a b', 'ADD a b', 'FROM x']) assert.equal(applyInstruction(st, one(l), scope), false);
    assert.equal(st.key, key0);
    assert.equal(st.dirty, false);
    assert.equal(applyInstruction(st, one('ENV A=1'), scope), true);
    assert.equal(st.dirty, true);
    assert.deepEqual(st.notes, ['/bin/sh -c #(nop) ENV A=1']);
    assert.notEqual(st.key, key0);
    const same = stageStart(undefined);
    applyInstruction(same, one('ENV A=1'), scope);
    assert.equal(same.key, st.key, 'the same steps give the same key');
  });

  it('MAINTAINER is only history; ONBUILD warns and changes nothing', () => {
    const { st, warnings } = apply(['MAINTAINER me', 'ONBUILD RUN true']);
    assert.deepEqual(st.config, {});
    assert.deepEqual(st.notes, ['/bin/sh -c #(nop) MAINTAINER me']);
    assert.deepEqual(warnings, ['warning: ONBUILD is ignored (line 1)']);
  });
});

describe('build args', () => {
  it('ARG takes --build-arg over its default, redeclares a global, and reaches $VAR but not the image', () => {
    const { st, args } = apply(['ARG A=dflt', 'ARG B', 'ARG G', 'ARG UNSET', 'ENV X=$A-$B-$G'], {
      given: { B: 'given', EXTRA: 'x' },
      globals: ['ARG G=global'],
    });
    assert.deepEqual([...st.args], [['A', 'dflt'], ['B', 'given'], ['G', 'global']]);
    assert.deepEqual(st.config.Env, ['X=dflt-given-global']);
    assert.deepEqual(args.unused(), ['EXTRA']);
    assert.equal(st.dirty, true, 'the ENV made it dirty, the ARGs alone would not');
  });

  it('an ARG changes the key by its value, so a different --build-arg misses the cache', () => {
    const a = apply(['ARG V=1'], { given: { V: 'one' } }).st.key;
    const b = apply(['ARG V=1'], { given: { V: 'two' } }).st.key;
    const c = apply(['ARG V=1'], { given: { V: 'one' } }).st.key;
    assert.notEqual(a, b);
    assert.equal(a, c);
  });

  it('global ARGs see earlier globals and --build-arg; ENV shadows ARG in $VAR', () => {
    const args = buildArgs({ REG: 'localhost:5000' }, ['ARG REG=docker.io', 'ARG IMG=$REG/busybox'].map(one));
    assert.deepEqual([...args.global], [['REG', 'localhost:5000'], ['IMG', 'localhost:5000/busybox']]);
    const { st } = apply(['ARG N=arg', 'ENV N=env']);
    assert.equal(stepVars(st).get('N'), 'env');
  });
});
