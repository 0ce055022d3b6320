import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { normalizeCompose } from './normalize.js';
import { createRequest, serviceHash } from './plan.js';
import { projectToYaml } from './render.js';

const base = { file: 'compose.yaml', workingDir: '/srv/app', env: {}, hostPlatform: 'linux/amd64' };
const project = (yaml: string, warn: (l: string) => void = () => {}) =>
  normalizeCompose(parse(`services:\n  web:\n    image: x\n${yaml.replace(/^/gm, '    ')}`), { ...base, warn });
const refuses = (yaml: string, re: RegExp) => assert.throws(() => project(yaml), (e: Error) => (assert.match(e.message, re), true));

const everything = `
init: true
tty: true
stdin_open: true
stop_signal: SIGINT
shm_size: 128m
sysctls: { net.core.somaxconn: 1024, kernel.shmmax: "68719476736" }
ulimits: { nproc: 512, nofile: { soft: 1024, hard: 2048 } }
devices: ["/dev/null:/dev/mynull:rw", { source: /dev/zero, target: /dev/z }]
extra_hosts: ["db.local:10.1.2.3", "cache.local=10.1.2.4"]
dns: 10.9.9.9
dns_search: [example.test]
dns_opt: [ndots:2]
oom_score_adj: 200
cpu_shares: 512
cpu_period: 50ms
cpu_quota: 25000
mem_limit: 64m
memswap_limit: 128m
blkio_config: { weight: 300 }
logging: { driver: json-file, options: { max-size: 10m } }
`;

test('the keys run has flags for reach the create request as the flags would', () => {
  const p = project(everything);
  const req = createRequest(p, p.services[0]!, { number: 1, hash: 'h' });
  assert.equal(req.init, true);
  assert.equal(req.tty, true);
  assert.equal(req.openStdin, true);
  assert.equal(req.stopSignal, 'SIGINT');
  assert.equal(req.shmSize, 128 * 1024 * 1024);
  assert.deepEqual(req.sysctls, { 'net.core.somaxconn': '1024', 'kernel.shmmax': '68719476736' });
  assert.deepEqual(req.ulimits, [{ name: 'nofile', soft: 1024, hard: 2048 }, { name: 'nproc', soft: 512, hard: 512 }]);
  assert.deepEqual(req.devices, [
    { pathOnHost: '/dev/null', pathInContainer: '/dev/mynull', permissions: 'rw' },
    { pathOnHost: '/dev/zero', pathInContainer: '/dev/z', permissions: 'rwm' },
  ]);
  assert.deepEqual(req.extraHosts, [{ host: 'db.local', ip: '10.1.2.3' }, { host: 'cache.local', ip: '10.1.2.4' }]);
  assert.deepEqual(req.dns, { servers: ['10.9.9.9'], search: ['example.test'], options: ['ndots:2'] });
  assert.equal(req.oomScoreAdj, 200);
  assert.equal(req.resources.cpuShares, 512);
  assert.equal(req.resources.cpuPeriod, 50_000);
  assert.equal(req.resources.cpuQuota, 25_000);
  assert.equal(req.resources.memorySwap, 128 * 1024 * 1024);
  assert.equal(req.resources.blkioWeight, 300);
  assert.deepEqual(req.logOpts, { maxSize: 10 * 1024 * 1024 });
  assert.equal('logDriver' in req, false, "the driver is compose config's, not the engine's");
});

test('compose config prints them so that they read back to the same service', () => {
  const p = project(everything);
  const again = normalizeCompose(parse(projectToYaml(p)), base);
  assert.deepEqual(again.services[0], p.services[0]);
  assert.equal(serviceHash(again, again.services[0]!), serviceHash(p, p.services[0]!));
});

test('a service without these keys hashes as before: up recreates nothing after an upgrade', () => {
  const p = project('command: [sleep, "1"]');
  assert.equal(p.services[0]!.host, undefined);
});

test('logging: file drivers are the one log file; max-file above 1 is warned, other drivers refused', () => {
  const warnings: string[] = [];
  const p = project('logging: { driver: local, options: { max-size: 1m, max-file: "3", compress: "true" } }', (l) => warnings.push(l));
  assert.deepEqual(p.services[0]!.host?.logOpts, { maxSize: 1024 * 1024, maxFile: 1 });
  assert.deepEqual(warnings, [
    'services.web.logging.options.max-file: 3: berth keeps one log file, cut at max-size, and does not rotate',
    "services.web.logging.options.compress: ignored: berth's log file is not compressed, tagged or buffered",
  ]);
  refuses('logging: { driver: syslog }', /services\.web\.logging\.driver: syslog: not supported by berth/);
  refuses('logging: { options: { max-size: lots } }', /services\.web\.logging\.options/);
  refuses('logging: { options: { labels-regex: x, max-size: 1m, zzz: 1 } }', /services\.web\.logging\.options\.labels-regex: not supported by berth/);
});

test("bad values name the key and say why, in the engine's words", () => {
  refuses('sysctls: [kernel.hostname=x]', /services\.web\.sysctls\.kernel\.hostname: sysctl 'kernel\.hostname' is not whitelisted/);
  refuses('ulimits: { files: 1 }', /services\.web\.ulimits\.files: "files" is not a resource limit/);
  refuses('ulimits: { nofile: { soft: 10, hard: 5 } }', /soft limit 10 is above the hard limit 5/);
  refuses('devices: ["dev/null"]', /services\.web\.devices\[0\]: dev\/null is not an absolute path/);
  refuses('extra_hosts: ["nohost"]', /services\.web\.extra_hosts\[0\]: bad format for add-host/);
  refuses('dns: [not-an-ip]', /services\.web\.dns: not-an-ip is not an ip address/);
  refuses('oom_score_adj: 2000', /services\.web\.oom_score_adj: must be an integer from -1000 to 1000/);
  refuses('memswap_limit: 1g', /services\.web\.memswap_limit: needs a memory limit/);
  refuses('mem_limit: 64m\nmemswap_limit: 32m', /Minimum memoryswap limit should be larger than memory limit/);
  refuses('cpus: 1\ncpu_quota: 5000', /Conflicting options: Nano CPUs and CPU Quota/);
  refuses('network_mode: host\nsysctls: { net.core.somaxconn: 1 }', /not allowed in host network namespace/);
  refuses('stop_signal: "kill -9"', /services\.web\.stop_signal: "kill -9" is not a signal/);
});
