import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { durationNs, expand, keyValues, parseContainerfile, words } from './parse.js';
import { ignoreMatcher, parseIgnore } from './ignore.js';

describe('Containerfile parsing', () => {
  it('joins continuations, drops comments, reads flags and JSON forms', () => {
    const ins = parseContainerfile([
      '# syntax=docker/dockerfile:1',
      'FROM busybox AS base',
      '# a comment',
      'RUN echo a \\',
      '  # inside',
      '  && echo b',
      'COPY --from=base --chown=1:2 /a /b',
      'CMD ["sh", "-c", "x"]',
      'ENTRYPOINT [not json',
    ].join('\n'));
    assert.deepEqual(ins.map((i) => i.keyword), ['FROM', 'RUN', 'COPY', 'CMD', 'ENTRYPOINT']);
    assert.equal(ins[1]!.args, 'echo a   && echo b');
    assert.equal(ins[1]!.line, 4);
    assert.deepEqual(ins[2]!.flags, { from: 'base', chown: '1:2' });
    assert.equal(ins[2]!.args, '/a /b');
    assert.deepEqual(ins[3]!.json, ['sh', '-c', 'x']);
    assert.equal(ins[4]!.json, undefined);
  });

  it('refuses an unknown instruction, naming it and its line', () => {
    assert.throws(() => parseContainerfile('FROM x\n\nFROBNICATE y'), { code: 'build.syntax', message: /line 3: unknown instruction "FROBNICATE"/ });
  });

  it('honours the escape directive', () => {
    const ins = parseContainerfile('# escape=`\nFROM x\nRUN a `\n b');
    assert.equal(ins[1]!.args, 'a  b');
  });

  it('expands variables with defaults and alternatives, not inside single quotes', () => {
    const v = new Map([['A', 'x'], ['E', '']]);
    assert.equal(expand('$A ${A}/y ${B:-def} ${E:-empty} ${A:+alt} ${B:+no}', v), 'x x/y def empty alt ');
    assert.equal(expand('\'$A\' "$A"', v), '\'$A\' "x"');
  });

  it('splits words and key=value pairs with quotes', () => {
    assert.deepEqual(words('a "b c" \'d e\' f\\ g'), ['a', 'b c', 'd e', 'f g']);
    assert.deepEqual(keyValues('A=1 B="two words" C', 1, false), [['A', '1'], ['B', 'two words'], ['C', undefined]]);
    assert.deepEqual(keyValues('KEY some value', 1, true), [['KEY', 'some value']]);
  });

  it('reads durations', () => {
    assert.equal(durationNs('1m30s', 1), 90e9);
    assert.equal(durationNs('500ms', 1), 5e8);
    assert.throws(() => durationNs('5 s', 1));
  });
});

describe('ignore files', () => {
  it('excludes matches and what is under them; ! re-includes; the last rule wins', () => {
    const ex = ignoreMatcher(parseIgnore('# c\nnode_modules\n*.log\n!keep.log\n**/tmp\nsecret/\n'));
    assert.equal(ex('node_modules'), true);
    assert.equal(ex('node_modules/x/y'), true);
    assert.equal(ex('a.log'), true);
    assert.equal(ex('keep.log'), false);
    assert.equal(ex('sub/a.log'), false, '* does not cross directories');
    assert.equal(ex('a/b/tmp/f'), true);
    assert.equal(ex('secret/k'), true);
    assert.equal(ex('src/main.ts'), false);
  });
});
