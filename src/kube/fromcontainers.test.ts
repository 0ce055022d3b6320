import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container } from '../engine/index.js';
import { emptyResources } from '../engine/types.js';
import { containersToProject } from './fromcontainers.js';
import { generate } from './generate.js';
import type { IPod } from './types.js';
import { parseManifests } from './yamlio.js';

function ctr(name: string, over: Partial<Container['spec']> = {}): Container {
  return {
    id: `${name}-id`,
    name,
    imageId: 'sha256:x',
    imageRef: 'localhost/busybox:latest',
    labels: {},
    status: 'running',
    spec: {
      version: 1,
      entrypoint: [],
      cmd: ['httpd', '-f'],
      args: ['httpd', '-f'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=1'],
      workdir: '/',
      user: '0',
      hostname: 'h',
      readOnly: false,
      resources: { ...emptyResources(), memory: 64 * 2 ** 20 },
      volumes: [],
      networkMode: 'bridge',
      networks: [{ network: 'berth' }],
      ports: ['8080:80'],
      restart: { name: 'on-failure', maxRetries: 2 },
      autoRemove: false,
      stopSignal: 'SIGTERM',
      stopTimeout: 10,
      ...over,
    },
  } as unknown as Container;
}

test('containers: their recorded configuration as Pods', () => {
  const c = containersToProject([ctr('web', { readOnly: true, user: '33:33' }), ctr('h', { networkMode: 'host', networks: [], ports: [] })], []);
  assert.deepEqual(c.warnings, ["container h: host networking: no Kubernetes equivalent written (hostNetwork is the cluster's, not this host's)"]);
  const g = generate(c.project, { type: 'pod', services: false, files: { read: () => ({ kind: 'skip', why: 'x' }) }, fromContainers: true,
    readOnly: c.readOnly });
  const pod = g.objects.find((o) => o.metadata!.name === 'web') as IPod;
  const k = pod.spec!.containers[0]!;
  assert.equal(k.command, undefined);
  assert.deepEqual(k.args, ['httpd', '-f']);
  assert.deepEqual(k.env, [{ name: 'A', value: '1' }]);
  assert.equal(k.workingDir, undefined);
  assert.deepEqual(k.securityContext, { runAsUser: 33, runAsGroup: 33, readOnlyRootFilesystem: true });
  assert.deepEqual(k.ports, [{ containerPort: 80, protocol: 'TCP', hostPort: 8080 }]);
  assert.equal(pod.spec!.restartPolicy, 'OnFailure');
  assert.equal(pod.metadata!.labels!['io.berth.container'], 'web');
  assert.ok(g.warnings.some((w) => /restart on-failure:2: Kubernetes has no retry count/.test(w)));
});

test('a YAML alias bomb is one line, not a crash', () => {
  const bomb = ['a: &a [x,x,x,x,x,x,x,x,x,x]',
    ...Array.from({ length: 8 },
      (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n');
  assert.throws(() => parseManifests(bomb, 'bomb.yaml'), /^BerthError: bomb\.yaml: invalid YAML: /);
});
