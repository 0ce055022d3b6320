import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { normalizeCompose } from './normalize.js';

const opts = { file: 'compose.yaml', workingDir: '/srv/My Farm', env: { HOME: '/root', FROM_HOST: 'h' } };
const load = (text: string, extra: Record<string, unknown> = {}) => normalizeCompose(parse(text), { ...opts, ...extra });
const refuses = (text: string, re: RegExp) =>
  assert.throws(() => load(text), (e: Error) => {
    assert.match(e.message, re);
    assert.equal((e as { kind?: string }).kind, 'InvalidArgument');
    return true;
  });

const FARM = `
name: WebFarm
services:
  web:
    image: localhost/busybox:latest
    command: sh -c 'exec httpd -f -p 80'
    environment: [A=1, FROM_HOST, NOT_SET]
    networks:
      private:
        aliases: [www]
    deploy:
      replicas: 3
      resources: { limits: { memory: 64m, cpus: '0.25' } }
    healthcheck:
      test: wget -q -O /dev/null http://127.0.0.1/
      interval: 2s
      retries: 5
  proxy:
    image: localhost/nginx:latest
    entrypoint: [nginx, -g, daemon off;]
    environment: { B: 2, C: null }
    ports: ["8080:80", { target: 443, published: 8443, host_ip: 127.0.0.1 }]
    volumes: [./nginx.conf:/etc/nginx/nginx.conf:ro, data:/data, "~/x:/x"]
    networks: [private, public]
    mem_limit: 32m
    cpus: 0.5
    restart: unless-stopped
    blkio_config:
      device_read_bps: [{ path: /dev/sda, rate: 1mb }]
      device_write_iops: [{ path: /dev/sda, rate: 100 }]
    depends_on:
      web: { condition: service_healthy }
networks:
  private: { internal: true, ipam: { config: [{ subnet: 10.99.0.0/24 }] } }
  public: {}
  unused: {}
volumes:
  data:
`;

test('the web farm normalises to berth shapes', () => {
  const p = load(FARM);
  assert.equal(p.name, 'webfarm');
  const [web, proxy] = p.services;
  assert.equal(web!.name, 'web');
  assert.deepEqual(web!.command, ['sh', '-c', 'exec httpd -f -p 80']);
  assert.deepEqual(web!.environment, { A: '1', FROM_HOST: 'h' });
  assert.deepEqual(web!.networks, [{ key: 'private', aliases: ['www'] }]);
  assert.equal(web!.replicas, 3);
  assert.equal(web!.resources.memory, 64 * 1024 * 1024);
  assert.equal(web!.resources.cpus, 0.25);
  assert.deepEqual(web!.healthcheck, { test: ['/bin/sh', '-c', 'wget -q -O /dev/null http://127.0.0.1/'], intervalMs: 2000, timeoutMs: 30000, retries: 5,
    startPeriodMs: 0 });
  assert.deepEqual(proxy!.entrypoint, ['nginx', '-g', 'daemon off;']);
  assert.deepEqual(proxy!.environment, { B: '2' });
  assert.deepEqual(proxy!.ports, ['8080:80', '127.0.0.1:8443:443']);
  assert.deepEqual(proxy!.volumes, [
    { type: 'bind', source: '/srv/My Farm/nginx.conf', target: '/etc/nginx/nginx.conf', readOnly: true, createHostPath: true },
    { type: 'volume', source: 'data', target: '/data', readOnly: false },
    { type: 'bind', source: '/root/x', target: '/x', readOnly: false, createHostPath: true },
  ]);
  assert.deepEqual(proxy!.networks.map((n) => n.key), ['private', 'public']);
  assert.equal(proxy!.resources.memory, 32 * 1024 * 1024);
  assert.equal(proxy!.restart, 'unless-stopped');
  assert.deepEqual(proxy!.resources.blkio.readBps, [{ path: '/dev/sda', rate: 1024 * 1024 }]);
  assert.deepEqual(proxy!.resources.blkio.writeIops, [{ path: '/dev/sda', rate: 100 }]);
  assert.deepEqual(proxy!.dependsOn, [{ service: 'web', condition: 'service_healthy', restart: false, required: true }]);
  // Only used networks, with Compose's host names.
  assert.deepEqual(p.networks.map((n) => [n.key, n.name, n.internal, n.subnet]), [
    ['private', 'webfarm_private', true, '10.99.0.0/24'],
    ['public', 'webfarm_public', false, undefined],
  ]);
  assert.deepEqual(p.volumes.map((v) => v.name), ['webfarm_data']);
});

test('project name: -p wins over name:, which wins over the directory', () => {
  assert.equal(load(FARM, { projectName: 'Other' }).name, 'other');
  assert.equal(load('services: { a: { image: x } }').name, 'myfarm');
  const p = load('services: { a: { image: x } }');
  assert.deepEqual(p.networks.map((n) => n.name), ['myfarm_default']);
  assert.deepEqual(p.services[0]!.networks, [{ key: 'default', aliases: [] }]);
});

test('unknown keys are refused by their path', () => {
  refuses('services: { web: { image: x, cgroup: host } }', /^compose\.yaml: services\.web\.cgroup: not supported by berth$/);
  refuses('services: { web: { image: x, deploy: { resources: { reservations: { devices: [] } } } } }',
    /services\.web\.deploy\.resources\.reservations\.devices: not supported/);
  refuses('services: { web: { image: x } }\nnetworks: { n: { driver: overlay } }', /networks\.n\.driver: overlay: not supported/);
  refuses('services: { web: { image: x, volumes: ["/data"] } }', /services\.web\.volumes\[0\]: anonymous volume/);
  // x- extensions are the spec's own comments.
  assert.equal(load('x-common: &c { image: x }\nservices: { web: { image: x, x-note: hi } }').services.length, 1);
});

test('wrong types are refused with the path and what was found', () => {
  refuses('services: { web: { image: x, ports: "80:80" } }', /services\.web\.ports: must be a list, not string/);
  refuses('services: { web: { image: [x] } }', /services\.web\.image: must be a string, not a list/);
  refuses('services: { web: { image: x, deploy: { replicas: -1 } } }', /services\.web\.deploy\.replicas: must be an integer of at least 0/);
  refuses('services: { web: { image: x, mem_limit: lots } }', /services\.web\.mem_limit: invalid size/);
  refuses('services: { web: { image: x, cpus: -1 } }', /services\.web\.cpus: must be a positive number/);
  refuses('services: { web: { image: x, ports: ["99999:80"] } }', /services\.web\.ports\[0\]: invalid port/);
  refuses('services: { web: { image: x, restart: sometimes } }', /services\.web\.restart: "sometimes" is not one of/);
  refuses('services: { web: { image: x, healthcheck: { test: x, interval: soon } } }', /services\.web\.healthcheck\.interval: invalid duration/);
  refuses('services: { web: { image: x, working_dir: rel } }', /services\.web\.working_dir: "rel" must be an absolute path/);
  refuses('services: { web: { command: x } }', /services\.web: has no image/);
  refuses('services: {}', /the file defines no services/);
  refuses('', /the file is empty/);
  refuses('- a', /\(top level\): must be a mapping, not a list/);
});

test('references are checked: networks, volumes, depends_on, cycles', () => {
  refuses('services: { web: { image: x, networks: [nope] } }', /services\.web\.networks\.nope: network nope is not declared/);
  refuses('services: { web: { image: x, volumes: ["data:/d"] } }', /services\.web\.volumes\[0\]: volume data is not declared/);
  refuses('services: { web: { image: x, depends_on: [db] } }', /services\.web\.depends_on: depends on undefined service db/);
  refuses('services: { web: { image: x, depends_on: [web] } }', /cannot depend on itself/);
  refuses('services: { a: { image: x, depends_on: [b] }, b: { image: x, depends_on: [c] }, c: { image: x, depends_on: [a] } }',
    /dependency cycle: a -> b -> c -> a/);
  refuses('services: { a: { image: x, depends_on: { b: { condition: service_healthy } } }, b: { image: x } }',
    /service_healthy needs a healthcheck on service b/);
  refuses('services: { a: { image: x, depends_on: { b: { condition: whenever } } }, b: { image: x } }', /"whenever" is not one of/);
});

test('limits from deploy and from the service must agree', () => {
  refuses('services: { web: { image: x, mem_limit: 64m, deploy: { resources: { limits: { memory: 32m } } } } }',
    /deploy\.resources\.limits\.memory: disagrees with the service's own mem_limit/);
  assert.equal(load('services: { web: { image: x, mem_limit: 64m, deploy: { resources: { limits: { memory: 64m } } } } }').services[0]!.resources.memory,
    64 * 1024 * 1024);
});

test('healthcheck forms: string, CMD, CMD-SHELL, NONE and disable', () => {
  const hc = (t: string) => load(`services: { web: { image: x, healthcheck: ${t} } }`).services[0]!.healthcheck;
  assert.deepEqual(hc('{ test: [CMD, "true"] }')?.test, ['true']);
  assert.deepEqual(hc('{ test: [CMD-SHELL, "exit 0"] }')?.test, ['/bin/sh', '-c', 'exit 0']);
  assert.equal(hc('{ test: [NONE] }'), undefined);
  assert.equal(hc('{ test: [CMD, "true"], disable: true }'), undefined);
  refuses('services: { web: { image: x, healthcheck: { test: [RUN, x] } } }', /healthcheck\.test: must be a string/);
});

test('external networks and volumes keep their own names', () => {
  const p = load(
    'services: { a: { image: x, networks: [ext], volumes: ["v:/v"] } }\nnetworks: { ext: { external: true } }\nvolumes: { v: { external: true, name: shared } }',
  );
  assert.deepEqual(p.networks, [{ key: 'ext', name: 'ext', external: true, internal: false, labels: {} }]);
  assert.deepEqual(p.volumes, [{ key: 'v', name: 'shared', external: true, labels: {} }]);
});

test('secrets and configs from files, the environment or content: mounts at /run/secrets/NAME, /NAME or their target', () => {
  const p = load(`
services:
  web:
    image: x
    secrets: [pw, { source: key, target: api.key, uid: "100", gid: 101, mode: 0440 }, { source: tok, mode: "0o400" }]
    configs: [conf, { source: conf, target: /etc/app.conf }, inline]
secrets: { pw: { file: /s/pw }, key: { file: /s/key }, tok: { environment: FROM_HOST } }
configs: { conf: { file: /s/conf }, inline: { content: "a: 1" } }
`);
  assert.deepEqual(p.services[0]!.secrets, [
    { source: 'pw', file: '/s/pw', target: '/run/secrets/pw' },
    { source: 'key', file: '/s/key', target: '/run/secrets/api.key', uid: 100, gid: 101, mode: 0o440 },
    { source: 'tok', data: 'h', environment: 'FROM_HOST', target: '/run/secrets/tok', mode: 0o400 },
  ]);
  assert.deepEqual(p.services[0]!.configs, [{ source: 'conf', file: '/s/conf', target: '/conf' }, { source: 'conf', file: '/s/conf', target: '/etc/app.conf' },
    { source: 'inline', data: 'a: 1', target: '/inline' }]);
  refuses('services: { web: { image: x } }\nsecrets: { s: { content: x } }', /secrets\.s\.content: content: is for configs/);
  refuses('services: { web: { image: x } }\nconfigs: { s: { file: /f, content: x } }', /configs\.s: file and content cannot be combined/);
  refuses('services: { web: { image: x, secrets: [{ source: s, mode: 0999 }] } }\nsecrets: { s: { file: /f } }', /invalid mode "999"/);
  refuses('services: { web: { image: x, secrets: [nope] } }', /services\.web\.secrets\[0\]: nope is not declared under the top-level secrets/);
  refuses('services: { web: { image: x, secrets: [{ source: s, target: ../../etc/passwd }] } }\nsecrets: { s: { file: /f } }',
    /secrets\[0\]\.target: "\.\.\/\.\.\/etc\/passwd" must be a plain path, without \.\./);
  refuses('services: { web: { image: x } }\nsecrets: { s: { external: true } }', /secrets\.s\.external: not supported by berth/);
});
