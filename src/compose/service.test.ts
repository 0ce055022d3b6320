import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { normalizeCompose } from './normalize.js';
import { checkFeasible, createRequest } from './plan.js';
import { hostPlatform } from './service.js';

const opts = { file: 'compose.yaml', workingDir: '/srv/app', env: {}, hostPlatform: 'linux/amd64' };
const svc = (yaml: string) => normalizeCompose(parse(`services:\n  web:\n    image: x\n${yaml.replace(/^/gm, '    ')}`), opts).services[0]!;
const refuses = (yaml: string, re: RegExp) =>
  assert.throws(() => svc(yaml), (e: Error) => {
    assert.match(e.message, re);
    return true;
  });

test('container_name, hostname, expose, annotations, profiles, read_only are recorded', () => {
  const s = svc('container_name: web.1\nhostname: h\nexpose: [80, "90-91/udp"]\nannotations: [a=b]\nprofiles: [p]\nread_only: true');
  assert.equal(s.containerName, 'web.1');
  assert.equal(s.hostname, 'h');
  assert.deepEqual(s.expose, ['80', '90-91/udp']);
  assert.deepEqual(s.annotations, { a: 'b' });
  assert.deepEqual(s.profiles, ['p']);
  assert.equal(s.readOnly, true);
  refuses('expose: ["80-70"]', /services\.web\.expose\[0\]: invalid port "80-70"/);
  refuses('container_name: "-bad"', /services\.web\.container_name: invalid container name/);
  refuses('container_name: one\ndeploy: { replicas: 2 }', /services\.web\.container_name: "one" cannot name 2 replicas/);
});

test('container_name with --scale above one is refused before anything is made', () => {
  const p = normalizeCompose(parse('services: { web: { image: x, container_name: one } }'), opts);
  assert.throws(() => checkFeasible(p, new Map([['web', 2]]), 4), /service web: 2 replicas cannot all be named one/);
});

test('platform: the host platform only, in its usual spellings', () => {
  assert.equal(hostPlatform('x64'), 'linux/amd64');
  assert.equal(hostPlatform('arm64'), 'linux/arm64');
  assert.equal(svc('platform: linux/amd64').platform, 'linux/amd64');
  assert.equal(svc('platform: Linux/x86_64').platform, 'Linux/x86_64');
  refuses('platform: linux/arm64/v8', /services\.web\.platform: linux\/arm64\/v8: not supported by berth: this host runs linux\/amd64/);
  refuses('platform: windows/amd64', /not supported by berth/);
});

test("network_mode: none and host leave the networks out; service: and container: share another container's", () => {
  const s = svc('network_mode: none');
  assert.equal(s.networkMode, 'none');
  assert.deepEqual(s.networks, []);
  assert.equal(svc('network_mode: default').networkMode, 'bridge');
  refuses('network_mode: "service:db"', /services\.web\.depends_on: depends on undefined service db/);
  const p = normalizeCompose(parse('services: { db: { image: x }, web: { image: x, network_mode: "service:db", pid: "container:other", ipc: host } }'), opts);
  const web = p.services.find((x) => x.name === 'web')!;
  assert.equal(web.networkMode, 'container');
  assert.deepEqual(web.namespaces, { network: 'service:db', pid: 'container:other', ipc: 'host' });
  assert.deepEqual(web.dependsOn.map((d) => d.service), ['db'], 'sharing a service starts it first');
  const req = createRequest(p, web, { number: 1, hash: 'h' });
  assert.equal(req.networkMode, 'container');
  assert.deepEqual(req.namespaces, { network: `${p.name}-db-1`, pid: 'container:other', ipc: 'host' });
  refuses('pid: private', /services\.web\.pid: "private" is not one of host, service:NAME, container:NAME/);
  refuses('network_mode: "service:web"', /cannot share the namespaces of its own containers/);
  refuses('network_mode: host\nnetworks: [default]', /cannot be combined with networks/);
  refuses('network_mode: host\nports: ["80"]', /publishing ports needs a bridge network/);
  // No service on the default network: it is not created.
  assert.deepEqual(normalizeCompose(parse('services: { a: { image: x, network_mode: host } }'), opts).networks, []);
});

test('deploy.restart_policy maps onto restart, which wins when both are given', () => {
  assert.equal(svc('deploy: { restart_policy: { condition: on-failure, max_attempts: 3 } }').restart, 'on-failure:3');
  assert.equal(svc('deploy: { restart_policy: { condition: any } }').restart, 'always');
  assert.equal(svc('deploy: { restart_policy: { condition: none } }').restart, 'no');
  assert.equal(svc('restart: unless-stopped\ndeploy: { restart_policy: { condition: none } }').restart, 'unless-stopped');
  refuses('deploy: { restart_policy: { condition: sometimes } }', /restart_policy\.condition: "sometimes" is not one of/);
});

test('reservations are recorded; scale and deploy.replicas must agree; global is one replica', () => {
  const s = svc('mem_reservation: 32m\ndeploy: { resources: { reservations: { cpus: "0.25" } } }');
  assert.deepEqual(s.reservations, { memory: 32 * 1024 * 1024, cpus: 0.25 });
  assert.equal(svc('scale: 3').replicas, 3);
  refuses('scale: 3\ndeploy: { replicas: 2 }', /services\.web\.scale: disagrees with deploy\.replicas/);
  assert.equal(svc('deploy: { mode: global }').replicas, 1);
});

test('depends_on long form keeps restart and required; an absent optional dependency is dropped', () => {
  const p = normalizeCompose(
    parse(
      'services: { web: { image: x, depends_on: { db: { condition: service_started, restart: true }, gone: { condition: service_started, required: false } } }, db: { image: y } }',
    ),
    opts,
  );
  assert.deepEqual(p.services[0]!.dependsOn, [{ service: 'db', condition: 'service_started', restart: true, required: true }]);
});

test('pull_policy, runtime and cpuset map onto the engine; other values are refused', () => {
  assert.equal(svc('pull_policy: if_not_present').pullPolicy, 'missing');
  assert.equal(svc('pull_policy: always').pullPolicy, 'always');
  refuses('pull_policy: build', /services\.web\.pull_policy: build needs a build section/);
  assert.equal(svc('runtime: crun').runtime, 'crun');
  refuses('runtime: nvidia', /runtime: nvidia: not supported by berth/);
  assert.equal(svc('cpuset: "0,2-3"').resources.cpusetCpus, '0,2-3');
  refuses('cpuset: all', /services\.web\.cpuset: invalid CPU list "all"/);
  const p = normalizeCompose(parse('services: { web: { image: x, cpuset: "7" } }'), opts);
  assert.throws(() => checkFeasible(p, new Map(), 2), /cpuset 7 names CPUs this host does not have/);
});

test('long syntax: port names, bind and volume options, no-op short modes; SELinux labels and tmpfs refused', () => {
  assert.deepEqual(svc('ports: [{ target: 80, published: "8080", name: web, app_protocol: http, mode: host }]').ports, ['8080:80']);
  const v = normalizeCompose(
    parse(
      'services: { web: { image: x, volumes: ["./a:/a:ro,cached", { type: bind, source: /b, target: /b, bind: { create_host_path: true } }, { type: volume, source: v, target: /v, volume: { nocopy: true } }] } }\nvolumes: { v: }',
    ),
    opts,
  ).services[0]!.volumes;
  assert.deepEqual(v, [
    { type: 'bind', source: '/srv/app/a', target: '/a', readOnly: true, createHostPath: true },
    { type: 'bind', source: '/b', target: '/b', readOnly: false, createHostPath: true },
    { type: 'volume', source: 'v', target: '/v', readOnly: false },
  ]);
  // The long syntax creates nothing unless its bind section says so (Compose's default then is true).
  const long = (bind: string) =>
    normalizeCompose(parse(`services: { web: { image: x, volumes: [{ type: bind, source: /c, target: /c${bind} }] } }`), opts)
      .services[0]!.volumes[0]!.createHostPath;
  assert.equal(long(''), undefined);
  assert.equal(long(', bind: {}'), true);
  assert.equal(long(', bind: { create_host_path: false }'), undefined);
  refuses('volumes: ["./a:/a:z"]', /SELinux relabelling :z: not supported by berth/);
  refuses('volumes: [{ type: tmpfs, target: /t }]', /volumes\[0\]\.type: tmpfs: not supported by berth/);
  refuses('volumes: [{ type: bind, source: /a, target: /a, bind: { propagation: shared } }]', /bind\.propagation: shared: not supported by berth/);
  refuses('networks: { default: { ipv6_address: "::1" } }', /ipv6_address: not supported by berth/);
});

const built = (yaml: string, env: Record<string, string> = {}) => {
  const warnings: string[] = [];
  const p = normalizeCompose(parse(`services:\n  web:\n${yaml.replace(/^/gm, '    ')}`), { ...opts, env, warn: (w) => warnings.push(w) });
  return { s: p.services[0]!, warnings };
};

test('build: a service without image: is named PROJECT-SERVICE; args take the shell when valueless', () => {
  const { s, warnings } = built(
    'build:\n  context: /srv/app/web\n  dockerfile: Containerfile.dev\n  args: [A=1, FROM_SHELL, MISSING]\n  target: final\n'
      + '  labels: { l: v }\n  cache_from: [x]\n  tags: [localhost/web:extra]\n  network: host\npull_policy: build',
    { FROM_SHELL: 'sh' },
  );
  assert.equal(s.image, 'app-web');
  assert.equal(s.pullPolicy, 'build');
  assert.deepEqual(s.build, {
    context: '/srv/app/web',
    dockerfile: 'Containerfile.dev',
    args: { A: '1', FROM_SHELL: 'sh' },
    target: 'final',
    labels: { l: 'v' },
    tags: ['localhost/web:extra'],
    network: 'host',
  });
  assert.deepEqual(warnings, ["services.web.build.cache_from: ignored by berth's builder"]);
  assert.equal(built('image: mine:1\nbuild: /srv/app').s.image, 'mine:1');
});

test('build: what berth cannot build is refused, naming the key', () => {
  const refusesBuild = (yaml: string, re: RegExp) => assert.throws(() => built(yaml), (e: Error) => (assert.match(e.message, re), true));
  refusesBuild('build: { context: /x, ssh: [default] }', /services\.web\.build\.ssh: not supported by berth/);
  refusesBuild('build: { context: "https://github.com/x/y.git" }', /build\.context: https:\/\/github\.com\/x\/y\.git: not supported by berth/);
  refusesBuild('build: { context: /x, network: mynet }', /build\.network: mynet: not supported by berth/);
  refusesBuild('build: { context: /x, dockerfile: D, dockerfile_inline: "FROM x" }', /dockerfile and dockerfile_inline cannot both be given/);
  refusesBuild('build: { context: /x, contxt: . }', /services\.web\.build\.contxt: not supported by berth/);
});

test("cap_add, cap_drop, privileged, security_opt, tmpfs, group_add and userns_mode become run's requests", () => {
  const s = svc([
    'cap_add: [NET_ADMIN]',
    'cap_drop: [ALL]',
    'privileged: false',
    'security_opt: ["no-new-privileges:true", "seccomp=unconfined", "label=disable"]',
    'tmpfs: ["/run:size=1m", /tmp]',
    'group_add: [wheel, 27]',
    'userns_mode: "auto:size=2048"',
  ].join('\n'));
  assert.deepEqual(s.security, {
    capAdd: ['NET_ADMIN'],
    capDrop: ['ALL'],
    noNewPrivileges: true,
    seccomp: 'unconfined',
    tmpfs: [{ destination: '/run', options: ['size=1m'] }, { destination: '/tmp', options: [] }],
    groupAdd: ['wheel', '27'],
  });
  assert.deepEqual(s.userns, { mode: 'auto:size=2048', uidmap: [], gidmap: [] });
  assert.equal(svc('tmpfs: /run').security?.tmpfs?.[0]?.destination, '/run');
  assert.equal(svc('privileged: true').security?.privileged, true);
  assert.equal(svc('hostname: h').security, undefined, 'the defaults ask for nothing');
  refuses('security_opt: [seccomp=profile.json]', /opening seccomp profile \(\/srv\/app\/profile\.json\) failed/);
  refuses('security_opt: [systempaths=unconfined]', /invalid --security-opt "systempaths=unconfined"/);
  refuses('tmpfs: ["/x:lowerdir=/etc"]', /unsupported option "lowerdir=\/etc"/);
  refuses('group_add: ["a b"]', /services\.web\.group_add\[0\]: "a b" is not a group name or GID/);
  refuses('cap_add: NET_ADMIN', /services\.web\.cap_add: must be a list/);
});
