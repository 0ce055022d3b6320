import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pastaArgs } from './usermode.js';

test("pasta publishes each -p on the host address given, and nothing of the host's into the container", () => {
  const args = pastaArgs('/run/c/netns', '/run/c/pasta.pid', [
    { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, proto: 'tcp' },
    { hostIp: '', hostPort: 5353, containerPort: 53, proto: 'udp' },
    { hostIp: '0.0.0.0', hostPort: 8443, containerPort: 443, proto: 'tcp' },
  ]);
  assert.deepEqual(args, [
    '--config-net',
    '--quiet',
    '--no-map-gw',
    '-T',
    'none',
    '-U',
    'none',
    '--pid',
    '/run/c/pasta.pid',
    '-t',
    '127.0.0.1/8080:80',
    '-t',
    '8443:443',
    '-u',
    '5353:53',
    '--netns',
    '/run/c/netns',
  ]);
});

test('without ports pasta forwards none', () => {
  const args = pastaArgs('/n', '/p', []);
  assert.deepEqual(args.slice(9), ['-t', 'none', '-u', 'none', '--netns', '/n']);
});
