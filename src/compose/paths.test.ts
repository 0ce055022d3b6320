import { test } from 'node:test';
import assert from 'node:assert/strict';
import { absolutePaths } from './paths.js';

test('relative paths become absolute against the given directory; names and URLs stay', () => {
  const t = absolutePaths({
    services: {
      web: {
        volumes: ['./data:/data:ro', 'named:/n', '~/x:/x', { type: 'bind', source: 'conf', target: '/c' }, { type: 'volume', source: 'v', target: '/v' }],
        env_file: 'a.env',
        build: { dockerfile: 'Dockerfile' },
        extends: { file: '../base.yaml', service: 's' },
      },
      api: { build: 'https://github.com/x/y.git', env_file: [{ path: 'b.env', required: false }] },
    },
    secrets: { s: { file: './s.txt' } },
  }, { dir: '/p/app', home: '/home/u' }) as any;
  assert.deepEqual(t.services.web.volumes, ['/p/app/data:/data:ro', 'named:/n', '/home/u/x:/x', { type: 'bind', source: '/p/app/conf', target: '/c' }, {
    type: 'volume',
    source: 'v',
    target: '/v',
  }]);
  assert.deepEqual(t.services.web.env_file, ['/p/app/a.env']);
  assert.deepEqual(t.services.web.build, { dockerfile: 'Dockerfile', context: '/p/app' });
  assert.equal(t.services.web.extends.file, '/p/base.yaml');
  assert.equal(t.services.api.build, 'https://github.com/x/y.git');
  assert.deepEqual(t.services.api.env_file, [{ path: '/p/app/b.env', required: false }]);
  assert.equal(t.secrets.s.file, '/p/app/s.txt');
});
