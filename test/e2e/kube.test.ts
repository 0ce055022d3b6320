// The web farm's round trip: compose file -> kube generate -> kube play, with real containers,
// and the same behaviour: three web servers behind the proxy answering on the published port.
// The farm is copied with its own host port and private subnet, as webfarm.test.ts does, so
// that a running `make demo` or another test does not clash with this one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Service } from 'kubernetes-models/v1/Service';
import { Berth, REPO, jsonLines } from './helpers.js';

const suffix = Math.random().toString(36).slice(2, 8);
const PROJECT = `berthkube${suffix}`;
const PORT = 19080 + Math.floor(Math.random() * 900);
const NET3 = 100 + Math.floor(Math.random() * 150);
const SUBNET = `10.214.${NET3}.0/24`;
const URL = `http://127.0.0.1:${PORT}/`;

let b: Berth;
let dir: string;
let manifest: string;

interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: Record<string, any>;
}

/** The test's own check against the Kubernetes schemas, apart from berth's. */
function validateFile(path: string): Doc[] {
  const classes: Record<string, new(d: never) => { validate(): void }> = { Deployment, Pod, Service, ConfigMap };
  const docs = parseAllDocuments(readFileSync(path, 'utf8')).map((d) => {
    assert.deepEqual(d.errors, []);
    return d.toJS() as Doc;
  });
  for (const d of docs) {
    const Model = classes[d.kind];
    assert.ok(Model, `unexpected kind ${d.kind}`);
    new Model(d as never).validate();
  }
  return docs;
}

async function ask(): Promise<string> {
  const r = await fetch(URL, { signal: AbortSignal.timeout(5000) });
  assert.equal(r.status, 200);
  const m = /web instance (\S+) at (\S+)</.exec(await r.text());
  assert.ok(m, 'the page names its instance');
  return m[1]!;
}

/** The proxy listens a moment after play returns (nginx starting): the first answer is awaited. */
async function firstAnswer(): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await ask();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function askMany(n: number): Promise<Set<string>> {
  await firstAnswer();
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(await ask());
  return seen;
}

const ids = () => b.ok(['ps', '-aq', '--no-trunc']).split('\n').filter(Boolean).sort();
const projectNets = () => (jsonLines<{ Name: string }>(b.ok(['network', 'ls', '--format', 'json']))).map((n) => n.Name).filter((n) => n.startsWith(PROJECT));

before(() => {
  b = new Berth();
  b.importBusybox();
  b.importNginx();
  dir = mkdtempSync('/tmp/berth-kube-');
  cpSync(join(REPO, 'examples/webfarm'), dir, { recursive: true });
  const file = join(dir, 'compose.yaml');
  const text = readFileSync(file, 'utf8');
  assert.match(text, /"8080:80"/);
  writeFileSync(file, text.replace('"8080:80"', `"${PORT}:80"`).replace('10.213.47.0/24', SUBNET));
  const conf = join(dir, 'proxy/nginx.conf');
  writeFileSync(conf, readFileSync(conf, 'utf8').replace('resolver 10.213.47.1 ', `resolver 10.214.${NET3}.1 `));
  manifest = join(dir, `${PROJECT}.yaml`);
});

after(() => {
  b.run(['kube', 'down', manifest]);
  b.destroy();
  rmSync(dir, { recursive: true, force: true });
});

test('the committed manifests of examples/webfarm/kubernetes are what kube generate writes', () => {
  const r = b.run(['kube', 'generate', '--compose', join(REPO, 'examples/webfarm/compose.yaml'), '--service']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(join(REPO, 'examples/webfarm/kubernetes/webfarm.yaml'), 'utf8'));
  validateFile(join(REPO, 'examples/webfarm/kubernetes/webfarm.yaml'));
});

test('generate: the farm as Deployments, ConfigMaps and Services that pass the schemas, with warnings', () => {
  const r = b.run(['kube', 'generate', '--compose', join(dir, 'compose.yaml'), '-s', '-f', manifest]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(`^warning: network private: subnet ${SUBNET.replace(/\./g, '\\.')}: no Kubernetes equivalent`, 'm'));
  assert.match(r.stderr, /^warning: network private: internal: no Kubernetes equivalent/m);
  assert.match(r.stderr, /^warning: service proxy: depends_on web: no Kubernetes equivalent/m);
  const docs = validateFile(manifest);
  assert.deepEqual(docs.map((d) => `${d.kind}/${d.metadata.name}`).sort(), [
    'ConfigMap/proxy-etc-nginx-nginx-conf',
    'ConfigMap/web-srv-serve-sh',
    'Deployment/proxy',
    'Deployment/web',
    'Service/proxy',
    'Service/web',
  ]);
  const web = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'web')!;
  assert.equal(web.spec!.replicas, 3);
  assert.deepEqual(web.spec!.template.spec.containers[0].resources.limits, { memory: '32Mi', cpu: '250m' });
  assert.deepEqual(web.spec!.template.spec.containers[0].readinessProbe.exec.command, ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1/']);
  const cm = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'web-srv-serve-sh') as unknown as { data: Record<string, string> };
  assert.equal(cm.data['serve.sh'], readFileSync(join(dir, 'web/serve.sh'), 'utf8'));
});

test('play refuses an unsupported kind or field before anything is created', () => {
  const before = ids();
  const text = readFileSync(manifest, 'utf8');
  for (const [name, extra, re] of [
    ['job', '---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: j}\nspec: {}\n',
      /^berth: [a-z0-9]+-job\.yaml: object 7: kind: CronJob: not supported by berth$/m],
    ['field', text.replace('      containers:\n        - name: web\n', '      containers:\n        - name: web\n          tty: true\n'),
      /^berth: [a-z0-9]+-field\.yaml: Deployment web \(template\): spec\.containers\[0\]\.tty: not supported by berth$/m],
  ] as const) {
    const bad = join(dir, `${PROJECT}-${name}.yaml`);
    writeFileSync(bad, name === 'job' ? text + extra : extra);
    const r = b.run(['kube', 'play', bad]);
    assert.equal(r.status, 125, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('berth:')).length, 1);
  }
  assert.deepEqual(ids(), before);
  assert.deepEqual(projectNets(), []);
  assert.equal(existsSync(join(b.root, 'kube')), false);
});

test('play: three web servers behind the proxy answer on the published port', async () => {
  b.ok(['kube', 'play', manifest]);
  const names = (jsonLines<{ Names: string | string[] }>(b.ok(['ps', '--format', 'json']))).map((c) => String(c.Names)).sort();
  assert.deepEqual(names, [`${PROJECT}-proxy-1`, `${PROJECT}-web-1`, `${PROJECT}-web-2`, `${PROJECT}-web-3`]);
  // The limits and the probe came through the manifest.
  const proxy = b.inspect(`${PROJECT}-proxy-1`);
  assert.equal(proxy.HostConfig.Memory, 64 * 2 ** 20);
  assert.equal(proxy.HostConfig.NanoCpus, 0.5e9);
  const web = b.inspect(`${PROJECT}-web-1`);
  assert.equal(web.HostConfig.Memory, 32 * 2 ** 20);
  assert.deepEqual(web.Config.Healthcheck?.Test, ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1/']); // Docker's shape, as inspect shows it
  const seen = await askMany(30);
  assert.deepEqual([...seen].sort(), [`${PROJECT}-web-1`, `${PROJECT}-web-2`, `${PROJECT}-web-3`]);
});

test('generate from the played containers: Pods that pass the schemas', () => {
  const out = join(dir, 'ctrs.yaml');
  b.ok(['kube', 'generate', '-s', '-f', out, `${PROJECT}-proxy-1`, `${PROJECT}-web-1`]);
  const docs = validateFile(out);
  const pod = docs.find((d) => d.kind === 'Pod' && d.metadata.name === `${PROJECT}-proxy-1`)!;
  assert.deepEqual(pod.spec!.containers[0].ports, [{ containerPort: 80, protocol: 'TCP', hostPort: PORT }]);
  assert.equal(pod.spec!.containers[0].resources.limits.memory, '64Mi');
});

test('a second play is refused; --replace replaces what the first made', async () => {
  const first = ids();
  const r = b.run(['kube', 'play', manifest]);
  assert.equal(r.status, 125);
  assert.match(r.stderr, new RegExp(`^berth: ${PROJECT}\\.yaml is already played \\(project ${PROJECT}\\)$`, 'm'));
  assert.deepEqual(ids(), first);
  b.ok(['kube', 'play', '--replace', manifest]);
  const second = ids();
  assert.equal(second.length, 4);
  assert.equal(second.filter((id) => first.includes(id)).length, 0);
  assert.equal((await askMany(20)).size, 3);
});

test('down removes exactly what play made', () => {
  b.ok(['run', '-d', '--name', 'bystander', 'busybox', 'sleep', '300']);
  b.ok(['network', 'create', `${PROJECT}-other`]);
  const r = b.run(['kube', 'down', manifest]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`Network ${PROJECT}_default  Removed`));
  const left = jsonLines<{ Names: string | string[] }>(b.ok(['ps', '-a', '--format', 'json']));
  assert.deepEqual(left.map((c) => String(c.Names)), ['bystander']);
  assert.deepEqual(projectNets(), [`${PROJECT}-other`]);
  assert.equal(existsSync(join(b.root, 'kube', PROJECT)), false);
  const again = b.run(['kube', 'down', manifest]);
  assert.equal(again.status, 125);
  assert.match(again.stderr, /is not played/);
  b.ok(['rm', '-f', 'bystander']);
  b.ok(['network', 'rm', `${PROJECT}-other`]);
});

const KIT = `${PROJECT}kit`;
const kitYaml = (boot: string) =>
  `apiVersion: v1
kind: ConfigMap
metadata: {name: site}
data: {index.html: "<h1>from a ConfigMap</h1>\\n", mode: blue}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: hunter2}
data: {token: ${Buffer.from('t0ken').toString('base64')}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  # sleep as PID 1 ignores SIGTERM: no reason to wait 30 s for the SIGKILL.
  terminationGracePeriodSeconds: 1
  containers:
    - name: app
      image: localhost/busybox:latest
      command: [sh, -c, '${boot}; exec sleep 300']
      env:
        - {name: MODE, valueFrom: {configMapKeyRef: {name: site, key: mode}}}
        - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password}}}
      envFrom: [{secretRef: {name: creds}, prefix: S_}]
      volumeMounts:
        - {name: site, mountPath: /www}
        - {name: creds, mountPath: /run/creds}
        - {name: data, mountPath: /data}
  volumes:
    - {name: site, configMap: {name: site}}
    - {name: creds, secret: {secretName: creds}}
    - {name: data, persistentVolumeClaim: {claimName: data}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: localhost/busybox:latest, args: [sh, -c, 'echo job done']}]
`;

test('ConfigMaps and Secrets as files and env, a claim as a named volume, a Job run once', async () => {
  const file = join(dir, `${KIT}.yaml`);
  writeFileSync(file, kitYaml('echo "$MODE $PASSWORD $S_token" >> /data/boot.txt'));
  b.ok(['kube', 'play', file]);
  const app = `${KIT}-app-1`;
  assert.equal(b.inspect(app).Config.StopTimeout, 1);
  assert.equal(b.ok(['exec', app, 'cat', '/www/index.html']), '<h1>from a ConfigMap</h1>\n');
  assert.equal(b.ok(['exec', app, 'cat', '/www/mode']), 'blue');
  assert.equal(b.ok(['exec', app, 'cat', '/run/creds/token']), 't0ken');
  assert.equal(b.ok(['exec', app, 'cat', '/data/boot.txt']), 'blue hunter2 t0ken\n');
  // Mounted read-only, as Kubernetes mounts them.
  assert.notEqual(b.run(['exec', app, 'sh', '-c', 'echo x > /www/index.html']).status, 0);
  const job = `${KIT}-once-1`;
  const deadline = Date.now() + 20_000;
  while (b.inspect(job).State.Status === 'running' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(b.inspect(job).State.ExitCode, 0);
  assert.match(b.ok(['logs', job]), /^job done$/m);

  // The claim's volume outlives --replace and kube down; down --force removes it.
  b.ok(['kube', 'play', '--replace', file]);
  assert.equal(b.ok(['exec', app, 'cat', '/data/boot.txt']), 'blue hunter2 t0ken\nblue hunter2 t0ken\n');
  b.ok(['kube', 'down', file]);
  const vol = join(b.root, 'volumes', `${KIT}_data`);
  assert.ok(existsSync(vol), 'the volume is kept without --force');
  b.ok(['kube', 'play', file]);
  b.ok(['kube', 'down', '--force', file]);
  assert.equal(existsSync(vol), false);
  assert.equal(existsSync(join(b.root, 'kube', KIT)), false);
  assert.deepEqual(jsonLines(b.ok(['ps', '-a', '--format', 'json'])), []);
});
