import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeCompose } from '../compose/normalize.js';
import { generate, type FileSource } from './generate.js';
import { portParts } from './ports.js';
import { translate, type PlayPlan } from './translate.js';
import { schemaError, validateAll } from './validate.js';
import { parseManifests, toYaml } from './yamlio.js';

const OPTS = { file: '/m/app.yaml', label: 'app.yaml', project: 'app', workingDir: '/m', dataDir: '/var/lib/berth/kube/app' };
const play = (yaml: string): PlayPlan => translate(parseManifests(yaml, 'app.yaml'), OPTS);
const refuses = (yaml: string, re: RegExp) =>
  assert.throws(() => play(yaml), (e: Error) => {
    assert.match(e.message, re);
    assert.equal((e as { exitCode?: number }).exitCode, 125);
    return true;
  });

const DEPLOY = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, annotations: {io.berth.network.subnet: 10.50.0.0/24}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: web
          image: localhost/busybox:latest
          command: [httpd]
          args: [-f, -p, "80"]
          workingDir: /www
          env:
            - {name: MODE, value: prod}
            - name: LEVEL
              valueFrom: {configMapKeyRef: {name: conf, key: level}}
            - name: PASSWORD
              valueFrom: {secretKeyRef: {name: creds, key: password}}
          envFrom: [{configMapRef: {name: conf}, prefix: CONF_}]
          ports: [{containerPort: 80, hostPort: 8081, hostIP: 127.0.0.1}]
          resources: {limits: {memory: 64Mi, cpu: 500m}, requests: {memory: 32Mi}}
          securityContext: {runAsUser: 1000, runAsGroup: 100}
          readinessProbe: {exec: {command: [wget, -q, http://127.0.0.1/]}, periodSeconds: 2, failureThreshold: 4}
          volumeMounts:
            - {name: conf, mountPath: /etc/app.conf, subPath: app.conf}
            - {name: secret, mountPath: /run/secrets}
            - {name: data, mountPath: /var/data}
      volumes:
        - {name: conf, configMap: {name: conf}}
        - {name: secret, secret: {secretName: creds}}
        - {name: data, persistentVolumeClaim: {claimName: data}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: conf}
data: {level: debug, app.conf: "x = 1\\n"}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
data: {password: aHVudGVyMg==}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Service
metadata: {name: www}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, nodePort: 30081}]
`;

test('a Deployment with its ConfigMap, Secret, claim and Service becomes a compose service', () => {
  const { project: p, files } = play(DEPLOY);
  assert.equal(p.name, 'app');
  assert.deepEqual(p.networks.map((n) => [n.name, n.subnet]), [['app_default', '10.50.0.0/24']]);
  assert.deepEqual(p.volumes.map((v) => [v.key, v.name]), [['data', 'app_data']]);
  const s = p.services[0]!;
  assert.equal(s.name, 'web');
  assert.equal(s.replicas, 2);
  assert.deepEqual(s.entrypoint, ['httpd']);
  assert.deepEqual(s.command, ['-f', '-p', '80']);
  assert.equal(s.workingDir, '/www');
  assert.equal(s.user, '1000:100');
  assert.equal(s.stopGracePeriodSec, 5);
  assert.equal(s.restart, 'always');
  assert.deepEqual(s.environment, { CONF_level: 'debug', 'CONF_app.conf': 'x = 1\n', MODE: 'prod', LEVEL: 'debug', PASSWORD: 'hunter2' });
  assert.deepEqual(s.ports, ['127.0.0.1:8081:80/tcp', '30081:80/tcp']);
  assert.equal(s.resources.memory, 64 * 2 ** 20);
  assert.equal(s.resources.cpus, 0.5);
  assert.deepEqual(s.healthcheck, { test: ['wget', '-q', 'http://127.0.0.1/'], intervalMs: 2000, timeoutMs: 1000, retries: 4, startPeriodMs: 0 });
  assert.deepEqual(s.networks, [{ key: 'default', aliases: ['www'] }]);
  assert.deepEqual(s.volumes, [
    { type: 'bind', source: '/var/lib/berth/kube/app/configmap/conf/app.conf', target: '/etc/app.conf', readOnly: true },
    { type: 'bind', source: '/var/lib/berth/kube/app/secret/creds', target: '/run/secrets', readOnly: true },
    { type: 'volume', source: 'data', target: '/var/data', readOnly: false },
  ]);
  assert.equal(s.labels['io.berth.kube.file'], '/m/app.yaml');
  assert.deepEqual(files.map((f) => [f.path.join('/'), f.data.toString()]), [
    ['configmap/conf/level', 'debug'],
    ['configmap/conf/app.conf', 'x = 1\n'],
    ['secret/creds/password', 'hunter2'],
  ]);
});

test('a Pod: one replica, its restart policy', () => {
  const { project: p } = play(
    'apiVersion: v1\nkind: Pod\nmetadata: {name: job}\nspec: {restartPolicy: Never, containers: [{name: c, image: busybox, args: ["true"]}]}\n',
  );
  assert.equal(p.services[0]!.replicas, 1);
  assert.equal(p.services[0]!.restart, 'no');
});

test('a Job: one run, backoffLimit as restarts on failure', () => {
  const job = (extra: string) =>
    `apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate}\nspec: {${extra}template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox, args: ["true"]}]}}}\n`;
  const s = play(job('backoffLimit: 2, ')).project.services[0]!;
  assert.equal(s.name, 'migrate');
  assert.equal(s.replicas, 1);
  assert.equal(s.restart, 'on-failure:2');
  assert.equal(play(job('backoffLimit: 0, ')).project.services[0]!.restart, 'no');
  assert.equal(play(job('')).project.services[0]!.restart, 'on-failure:6');
  refuses(job('').replace('Never', 'Always'), /Job migrate \(template\): spec\.restartPolicy: a Job's pods must have restartPolicy Never or OnFailure/);
});

const pod = (container: string, extra = '') => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [${container}]\n${extra}`;

test('unsupported kinds and fields are refused with a line naming them', () => {
  refuses('apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: j}\n', /^app\.yaml: object 1: kind: CronJob: not supported by berth$/);
  refuses(
    'apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {parallelism: 3, template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}\n',
    /^app\.yaml: Job j: spec\.parallelism: 3: not supported by berth \(a Job runs one pod\)$/,
  );
  refuses('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}]}\nstatus: {}\n',
    /^app\.yaml: Pod p: status: not supported by berth$/);
  refuses(pod('{name: c, image: i, stdin: true}'), /^app\.yaml: Pod p: spec\.containers\[0\]\.stdin: not supported by berth$/);
  refuses(pod('{name: c, image: i}, {name: d, image: i}'), /spec\.containers: more than one container in a pod: not supported by berth/);
  refuses(pod('{name: c, image: i, securityContext: {capabilities: {add: [NET_ADMIN]}}}'), /securityContext\.capabilities: not supported by berth/);
  refuses(pod('{name: c, image: i, livenessProbe: {httpGet: {port: 80}}}'), /livenessProbe\.httpGet: not supported by berth/);
  refuses(pod('{name: c, image: i}', '  hostNetwork: true\n'), /Pod p: spec\.hostNetwork: not supported by berth/);
  refuses(pod('{name: c, image: i, volumeMounts: [{name: v, mountPath: /v}]}', '  volumes: [{name: v, hostPath: {path: /etc}}]\n'),
    /spec\.volumes\[0\]\.hostPath: not supported by berth/);
  refuses(pod('{name: c, image: i, resources: {limits: {nvidia.com/gpu: 1}}}'), /resources\.limits\.nvidia\.com\/gpu: not supported by berth/);
  refuses(pod('{name: c, image: i, ports: [{containerPort: 80, protocol: SCTP}]}'), /ports\[0\]\.protocol: SCTP: not supported by berth/);
  const svc = (spec: string) =>
    `${pod('{name: c, image: i}').replace('name: p}', 'name: p, labels: {app: p}}')}---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: ${spec}\n`;
  refuses(svc('{type: LoadBalancer, selector: {app: p}, ports: [{port: 80}]}'), /Service s: spec\.type: LoadBalancer: not supported by berth/);
  refuses(svc('{selector: {app: p}, ports: [{port: 8080, targetPort: 80}]}'),
    /Service s: spec\.ports\[0\]\.targetPort: port 8080 to targetPort 80: not supported by berth/);
  refuses(svc('{ports: [{port: 80}]}'), /Service s: spec\.selector: a Service without a selector/);
  refuses(svc('{selector: {app: other}}'), /Service s: spec\.selector: selects no Pod, Deployment or Job in the file/);
});

test('bad input is refused: names, keys, references, base64, YAML', () => {
  refuses('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ../etc}\ndata: {a: b}\n', /metadata\.name: "\.\.\/etc" is not a valid ConfigMap name/);
  refuses('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {"..": b}\n', /ConfigMap c: data\.\.\.: invalid key/);
  refuses('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {"a/b": b}\n', /ConfigMap c: data\.a\/b: invalid key/);
  refuses('apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: "not base64!"}\n', /Secret s: data\.a: is not base64/);
  refuses(pod('{name: c, image: i, envFrom: [{configMapRef: {name: nope}}]}'), /ConfigMap nope is not in the file/);
  refuses(
    pod('{name: c, image: i, volumeMounts: [{name: v, mountPath: /v, subPath: "../../x"}]}',
      '  volumes: [{name: v, configMap: {name: c}}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n'),
    /subPath: ConfigMap c has no key \.\.\/\.\.\/x/,
  );
  refuses(
    'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}]}\n',
    /a second Pod named p/,
  );
  refuses('apiVersion: apps/v1\nkind: Pod\nmetadata: {name: p}\n', /apiVersion: Pod is v1, not "apps\/v1"/);
  refuses('a: [1\n', /^app\.yaml: invalid YAML/);
  refuses('', /the file has no objects/);
  refuses('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n', /the file has no Pod, Deployment or Job to run/);
  refuses(`${pod('{name: c, image: i}').replace('name: p}', 'name: p, annotations: {io.berth.compose.depends-on: "q:service_started"}}')}`,
    /depends on q, which is not a Pod, Deployment or Job/);
});

test('the schemas refuse what Kubernetes would', () => {
  assert.match(schemaError({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 'eighty' }] } }) ?? '',
    /port must be integer/);
  assert.equal(schemaError({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } }), undefined);
  assert.throws(() => validateAll([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 'eighty' }] } }], 'x.yaml'), {
    message: 'x.yaml: Service s: spec.ports[0].port must be integer',
  });
});

test('round trip: compose -> generate -> YAML -> play gives the same services', () => {
  const files: FileSource = { read: () => ({ kind: 'file', data: Buffer.from('conf\n') }) };
  const p = normalizeCompose({
    name: 'farm',
    services: {
      web: {
        image: 'localhost/busybox:latest',
        command: ['sh', '/srv/serve.sh'],
        volumes: ['./serve.sh:/srv/serve.sh:ro'],
        networks: { private: { aliases: ['web'] } },
        deploy: { replicas: 3, resources: { limits: { memory: '32m', cpus: '0.25' } } },
        healthcheck: { test: ['CMD', 'wget', '-q', 'http://127.0.0.1/'], interval: '2s', timeout: '2s', retries: 10 },
        restart: 'always',
      },
      proxy: {
        image: 'localhost/nginx:latest',
        networks: ['private'],
        ports: ['8080:80'],
        mem_limit: '64m',
        cpus: 0.5,
        depends_on: { web: { condition: 'service_healthy' } },
        restart: 'always',
      },
    },
    networks: { private: { ipam: { config: [{ subnet: '10.213.47.0/24' }] } } },
  }, { file: 'compose.yaml', workingDir: '/farm', env: {} });
  const g = generate(p, { type: 'deployment', services: true, files });
  const back = play(toYaml(g.objects)).project;
  assert.deepEqual(back.networks[0]!.subnet, '10.213.47.0/24');
  for (const s of p.services) {
    const b = back.services.find((x) => x.name === s.name)!;
    assert.ok(b, s.name);
    assert.deepEqual(b.ports.map(portParts), s.ports.map(portParts), `${s.name}.ports`);
    for (const k of ['image', 'command', 'entrypoint', 'environment', 'replicas', 'resources', 'healthcheck', 'dependsOn', 'restart'] as const) {
      assert.deepEqual(b[k], s[k], `${s.name}.${k}`);
    }
    assert.deepEqual(b.volumes.map((v) => [v.target, v.readOnly]), s.volumes.map((v) => [v.target, v.readOnly]));
  }
});
