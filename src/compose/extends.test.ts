import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveExtends } from './extends.js';

const files: Record<string, Record<string, unknown>> = {
  '/p/base.yaml': { services: { common: { image: 'base', environment: { A: '1' } }, deeper: { extends: 'common', labels: { l: 'x' } } } },
};
const load = (p: string) => {
  const f = files[p];
  if (!f) throw new Error(`no ${p}`);
  return f;
};

test('extends a service of the same file, then of another, following the chain', () => {
  const t = resolveExtends({
    services: {
      web: { extends: { file: '/p/base.yaml', service: 'deeper' }, environment: { B: '2' } },
      worker: { extends: 'web', command: ['w'] },
    },
  }, { file: '/p/compose.yaml', load }) as any;
  assert.deepEqual(t.services.web, { image: 'base', environment: { A: '1', B: '2' }, labels: { l: 'x' } });
  assert.deepEqual(t.services.worker, { image: 'base', environment: { A: '1', B: '2' }, labels: { l: 'x' }, command: ['w'] });
});

test('extends refuses cycles and unknown services, naming them', () => {
  assert.throws(() => resolveExtends({ services: { a: { extends: 'b' }, b: { extends: 'a' } } }, { file: '/p/c.yaml', load }),
    /\/p\/c\.yaml: services\.a\.extends: cycle: a -> b -> a/);
  assert.throws(() => resolveExtends({ services: { a: { extends: 'nope' } } }, { file: '/p/c.yaml', load }), /services\.a\.extends: no service nope/);
  assert.throws(() => resolveExtends({ services: { a: { extends: { service: 'x', files: 'y' } } } }, { file: '/p/c.yaml', load }),
    /extends\.files: not a key of extends/);
});
