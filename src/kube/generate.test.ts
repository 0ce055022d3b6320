import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Service } from 'kubernetes-models/v1/Service';
import { normalizeCompose } from '../compose/normalize.js';
import { generate, type FileSource, type Generated } from './generate.js';
import type { IConfigMap, IDeployment, IPersistentVolumeClaim, IPod, IService, Manifest } from './types.js';

const FILES: Record<string, Buffer> = {
  '/p/conf/app.conf': Buffer.from('listen 80;\n'),
  '/p/bin.dat': Buffer.from([0, 1, 2, 255]),
};
const files: FileSource = {
  read(path) {
    if (path === '/p/static') return { kind: 'dir', files: [{ name: 'a.html', data: Buffer.from('<a>') }, { name: 'b.css', data: Buffer.from('b{}') }] };
    const data = FILES[path];
    return data ? { kind: 'file', data } : { kind: 'skip', why: 'cannot read it: ENOENT' };
  },
};

const project = (services: unknown, extra: Record<string, unknown> = {}) =>
  normalizeCompose({ name: 'shop', services, ...extra }, { file: 'compose.yaml', workingDir: '/p', env: {} });

function byKind<T extends Manifest>(g: Generated, kind: string, name?: string): T {
  const o = g.objects.find((x) => x.kind === kind && (name === undefined || x.metadata?.name === name));
  assert.ok(o, `no ${kind} ${name ?? ''} in ${g.objects.map((x) => `${x.kind}/${x.metadata?.name}`).join(', ')}`);
  return o as T;
}

/** The test's own schema check, apart from berth's validate.ts. */
function validate(g: Generated): void {
  const classes: Record<string, new(d: never) => { validate(): void }> = { Deployment, Pod, Service, ConfigMap, PersistentVolumeClaim };
  for (const o of g.objects) new classes[o.kind]!(o as never).validate();
}

const farm = () =>
  project({
    web: {
      image: 'localhost/busybox:latest',
      command: ['sh', '/srv/serve.sh'],
      entrypoint: ['/bin/env'],
      environment: { MODE: 'prod' },
      working_dir: '/srv',
      user: '1000:1000',
      volumes: ['./conf/app.conf:/etc/app.conf:ro', 'data:/var/data', './static:/www', './missing:/x'],
      networks: { back: { aliases: ['www'] } },
      deploy: { replicas: 3, resources: { limits: { memory: '32m', cpus: '0.25' } } },
      healthcheck: { test: ['CMD', 'wget', '-q', 'http://127.0.0.1/'], interval: '2s', timeout: '3s', retries: 5, start_period: '4s' },
      restart: 'unless-stopped',
      stop_grace_period: '20s',
    },
    proxy: {
      image: 'nginx',
      ports: ['8080:80', '30080:81/udp'],
      networks: { back: null, front: { ipv4_address: '10.9.0.5' } },
      depends_on: { web: { condition: 'service_healthy' } },
      pids_limit: 50,
      blkio_config: { device_write_bps: [{ path: '/dev/vda', rate: '10mb' }] },
      restart: 'no',
      user: 'nginx',
    },
  }, {
    networks: { back: { internal: true, ipam: { config: [{ subnet: '10.8.0.0/24' }] } }, front: { ipam: { config: [{ subnet: '10.9.0.0/24' }] } } },
    volumes: { data: null },
  });

test('a compose service becomes a Deployment with its replicas, limits, probes, env, command, user and origin', () => {
  const g = generate(farm(), { type: 'deployment', services: true, files });
  validate(g);
  const d = byKind<IDeployment>(g, 'Deployment', 'web');
  assert.equal(d.spec!.replicas, 3);
  assert.deepEqual(d.spec!.selector.matchLabels, { app: 'web' });
  assert.equal(d.metadata!.labels!['io.berth.compose.project'], 'shop');
  assert.equal(d.spec!.template.metadata!.labels!['io.berth.compose.service'], 'web');
  assert.equal(d.spec!.template.metadata!.annotations!['io.berth.network.subnet'], '10.8.0.0/24');
  const pod = d.spec!.template.spec!;
  assert.equal(pod.terminationGracePeriodSeconds, 20);
  const c = pod.containers[0]!;
  assert.deepEqual(c.command, ['/bin/env']);
  assert.deepEqual(c.args, ['sh', '/srv/serve.sh']);
  assert.deepEqual(c.env, [{ name: 'MODE', value: 'prod' }]);
  assert.equal(c.workingDir, '/srv');
  assert.deepEqual(c.securityContext, { runAsUser: 1000, runAsGroup: 1000 });
  assert.deepEqual(c.resources, { limits: { memory: '32Mi', cpu: '250m' }, requests: { memory: '32Mi', cpu: '250m' } });
  const probe = { exec: { command: ['wget', '-q', 'http://127.0.0.1/'] }, periodSeconds: 2, timeoutSeconds: 3, failureThreshold: 5, initialDelaySeconds: 4 };
  assert.deepEqual(c.livenessProbe, probe);
  assert.deepEqual(c.readinessProbe, probe);
});

test('bind-mounted files and small directories become ConfigMaps with their content; named volumes claims', () => {
  const g = generate(farm(), { type: 'deployment', services: false, files });
  const pod = byKind<IDeployment>(g, 'Deployment', 'web').spec!.template.spec!;
  const mounts = pod.containers[0]!.volumeMounts!;
  const file = mounts.find((m) => m.mountPath === '/etc/app.conf')!;
  assert.equal(file.subPath, 'app.conf');
  assert.equal(file.readOnly, true);
  const vol = pod.volumes!.find((v) => v.name === file.name)!;
  const cm = byKind<IConfigMap>(g, 'ConfigMap', vol.configMap!.name);
  assert.deepEqual(cm.data, { 'app.conf': 'listen 80;\n' });
  const dir = mounts.find((m) => m.mountPath === '/www')!;
  assert.equal(dir.subPath, undefined);
  const dirCm = byKind<IConfigMap>(g, 'ConfigMap', pod.volumes!.find((v) => v.name === dir.name)!.configMap!.name);
  assert.deepEqual(Object.keys(dirCm.data!), ['a.html', 'b.css']);
  const data = mounts.find((m) => m.mountPath === '/var/data')!;
  assert.equal(pod.volumes!.find((v) => v.name === data.name)!.persistentVolumeClaim!.claimName, 'data');
  const pvc = byKind<IPersistentVolumeClaim>(g, 'PersistentVolumeClaim', 'data');
  assert.deepEqual(pvc.spec!.accessModes, ['ReadWriteOnce']);
  assert.equal(mounts.some((m) => m.mountPath === '/x'), false);
  assert.ok(g.warnings.includes('service web: bind mount /p/missing -> /x: not carried over (cannot read it: ENOENT)'), g.warnings.join('\n'));
  assert.ok(g.warnings.some((w) => /bind mount \/p\/static -> \/www: now a read-only ConfigMap/.test(w)));
});

test('binary content goes to binaryData', () => {
  const g = generate(project({ a: { image: 'x', volumes: ['./bin.dat:/bin.dat:ro'] } }), { type: 'pod', services: false, files });
  validate(g);
  const cm = byKind<IConfigMap>(g, 'ConfigMap');
  assert.deepEqual(cm.binaryData, { 'bin.dat': Buffer.from([0, 1, 2, 255]).toString('base64') });
});

test('Services: published ports as NodePort with hostPorts kept, names others reach as headless Services, aliases too', () => {
  const g = generate(farm(), { type: 'deployment', services: true, files });
  const proxy = byKind<IService>(g, 'Service', 'proxy');
  assert.equal(proxy.spec!.type, 'NodePort');
  assert.deepEqual(proxy.spec!.ports, [
    { name: 'tcp-80', protocol: 'TCP', port: 80, targetPort: 80 },
    { name: 'udp-81', protocol: 'UDP', port: 81, targetPort: 81, nodePort: 30080 },
  ]);
  const ports = byKind<IDeployment>(g, 'Deployment', 'proxy').spec!.template.spec!.containers[0]!.ports;
  assert.deepEqual(ports, [{ containerPort: 80, protocol: 'TCP', hostPort: 8080 }, { containerPort: 81, protocol: 'UDP', hostPort: 30080 }]);
  const web = byKind<IService>(g, 'Service', 'web');
  assert.equal(web.spec!.clusterIP, 'None');
  assert.deepEqual(web.spec!.selector, { app: 'web' });
  assert.deepEqual(byKind<IService>(g, 'Service', 'www').spec!.selector, { app: 'web' });
});

test('everything without a Kubernetes equivalent is a warning', () => {
  const g = generate(farm(), { type: 'deployment', services: true, files });
  const expect = [
    'service proxy: static address 10.9.0.5 on network front: no Kubernetes equivalent (the cluster assigns pod addresses)',
    'service proxy: pids limit 50: no per-container Kubernetes equivalent (the kubelet sets pod pid limits)',
    'service proxy: device write bps limit /dev/vda=10485760: no Kubernetes equivalent',
    'service proxy: restart no: a Deployment always restarts its pods',
    'service proxy: user nginx: Kubernetes takes numeric ids only (runAsUser), not carried over',
    "network back: internal: no Kubernetes equivalent written (a NetworkPolicy is the cluster's way to isolate pods)",
    'service web: volume data shared by 3 replicas: a ReadWriteOnce claim keeps them on one node',
    'network back: subnet 10.8.0.0/24: no Kubernetes equivalent; recorded in annotation io.berth.network.subnet (kube play uses it)',
    "service proxy: network front: subnet 10.9.0.0/24: no Kubernetes equivalent (kube play puts all pods on one network: only the subnet of proxy's first network is recorded)",
  ];
  for (const w of expect) assert.ok(g.warnings.includes(w), `missing warning: ${w}\n${g.warnings.join('\n')}`);
  assert.ok(g.warnings.some((w) => /depends_on web: no Kubernetes equivalent/.test(w)));
  assert.ok(g.warnings.some((w) => /host port 8080 is outside the NodePort range/.test(w)));
  assert.equal(new Set(g.warnings).size, g.warnings.length, 'each warning once');
});

test('without --service, a name others reach is a warning, not a silent loss', () => {
  const g = generate(farm(), { type: 'deployment', services: false, files });
  assert.equal(g.objects.some((o) => o.kind === 'Service'), false);
  assert.ok(g.warnings.includes('service web: reached by name by other services, but no Service is written without --service'));
});

test('--type pod, --scale, one service, names made valid', () => {
  const p = project({ Web_1: { image: 'x', restart: 'on-failure:3' }, other: { image: 'y' } });
  const g = generate(p, { type: 'pod', services: false, files, only: ['Web_1'], scale: new Map([['Web_1', 2]]) });
  validate(g);
  assert.deepEqual(g.objects.map((o) => `${o.kind}/${o.metadata!.name}`), ['Pod/web-1']);
  assert.equal((g.objects[0] as IPod).spec!.restartPolicy, 'OnFailure');
  assert.ok(g.warnings.includes('service Web_1: named web-1 in Kubernetes (names there are lower-case letters, digits and -)'));
  assert.ok(g.warnings.includes('service Web_1: 2 replicas: a Pod runs one (use --type deployment)'));
  assert.ok(g.warnings.some((w) => /on-failure:3: Kubernetes has no retry count/.test(w)));
  const d = generate(p, { type: 'deployment', services: false, files, scale: new Map([['Web_1', 4]]) });
  assert.equal((d.objects[0] as IDeployment).spec!.replicas, 4);
});
