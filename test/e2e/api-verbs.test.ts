// The docker CLI's verbs on a container and its files through berth serve: top, stats, rename,
// pause/unpause, update, cp both ways, diff, export, and build. Each result is checked with
// berth itself (one instances file) or by reading the files back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { Berth, until, jsonLines } from './helpers.js';
import { ApiServer } from './api-helpers.js';

let b: Berth;
let api: ApiServer;
let tmp: string;
before(async () => {
  b = new Berth();
  b.importBusybox();
  api = new ApiServer(b);
  await api.start();
  tmp = mkdtempSync('/tmp/berth-api-verbs-');
});
after(async () => {
  await api.stop();
  b.destroy();
  rmSync(tmp, { recursive: true, force: true });
});

const psLine = (name: string) => (jsonLines<{ Names: string; State: string }>(b.ok(['ps', '-a', '--format', 'json']))).find((x) => x.Names === name);

test('top, stats --no-stream, rename, pause and unpause, update', () => {
  api.dockerOk(['run', '-d', '--name', 'verbs-top', 'busybox', 'sleep', '300']);
  const top = api.dockerOk(['top', 'verbs-top', '-o', 'pid,args']);
  assert.match(top, /^PID\s+COMMAND\n\d+\s+sleep 300\n$/);
  assert.equal(api.docker(['top', 'nosuch-ctr']).status, 1);

  const st = api.dockerOk(['stats', '--no-stream', '--format', '{{.Name}}|{{.MemUsage}}|{{.PIDs}}|{{.CPUPerc}}', 'verbs-top']).trim();
  assert.match(st, /^verbs-top\|[\d.]+[KMG]?i?B \/ [\d.]+[KMG]iB\|1\|\d+\.\d\d%$/);

  api.dockerOk(['rename', 'verbs-top', 'verbs-renamed']);
  assert.equal(psLine('verbs-renamed')?.State, 'running');
  assert.equal(psLine('verbs-top'), undefined);

  api.dockerOk(['pause', 'verbs-renamed']);
  assert.equal(psLine('verbs-renamed')?.State, 'paused');
  assert.match(api.dockerOk(['ps', '--format', '{{.Names}} {{.Status}}']), /verbs-renamed Up .* \(Paused\)/);
  assert.equal(api.dockerOk(['inspect', '-f', '{{.State.Paused}}', 'verbs-renamed']).trim(), 'true');
  api.dockerOk(['unpause', 'verbs-renamed']);
  assert.equal(psLine('verbs-renamed')?.State, 'running');

  api.dockerOk(['update', '--memory', '64m', '--cpus', '0.5', '--pids-limit', '40', '--restart', 'on-failure:2', 'verbs-renamed']);
  const hc = b.inspect('verbs-renamed') as unknown as { HostConfig: { Memory: number; NanoCpus: number; PidsLimit: number; RestartPolicy: { Name: string } } };
  assert.deepEqual([hc.HostConfig.Memory, hc.HostConfig.NanoCpus, hc.HostConfig.PidsLimit, hc.HostConfig.RestartPolicy.Name], [64 * 1024 * 1024, 500_000_000,
    40, 'on-failure']);
  // The limit reached the running container's cgroup: stats reads it back.
  assert.match(api.dockerOk(['stats', '--no-stream', '--format', '{{.MemUsage}}', 'verbs-renamed']), /\/ 64MiB/);
  // A weight is out of range everywhere; 300 is taken where the blkio controller has a weight file.
  const bad = api.docker(['update', '--blkio-weight', '5', 'verbs-renamed']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /Range of blkio weight is from 10 to 1000/);
  api.dockerOk(['rm', '-f', 'verbs-renamed']);
});

/** The first `n` documents of a streaming stats request. */
function statsStream(id: string, n: number): Promise<StatsDoc[]> {
  return new Promise((resolve, reject) => {
    const docs: StatsDoc[] = [];
    let buf = '';
    const req = request({ socketPath: api.socket, path: `/v1.44/containers/${id}/stats?stream=1` }, (res) => {
      res.on('data', (d: Buffer) => {
        buf += d.toString();
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          docs.push(JSON.parse(buf.slice(0, i)) as StatsDoc);
          buf = buf.slice(i + 1);
        }
        if (docs.length >= n) {
          req.destroy();
          resolve(docs.slice(0, n));
        }
      });
      res.on('end', () => reject(new Error(`the stream ended after ${docs.length} documents`)));
    });
    req.on('error', (e) => {
      if (docs.length < n) reject(e);
    });
    req.end();
  });
}
interface StatsDoc {
  read: string;
  cpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage: number; online_cpus: number };
  precpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage: number };
}

test('a busy container shows its CPU % through stats --no-stream and the stream, each sample the precpu of the next', async () => {
  api.dockerOk(['run', '-d', '--name', 'verbs-busy', 'busybox', 'sh', '-c', 'while :; do :; done']);
  const pct = Number(api.dockerOk(['stats', '--no-stream', '--format', '{{.CPUPerc}}', 'verbs-busy']).trim().replace('%', ''));
  // A spinning shell takes most of one CPU; a loaded machine may give it less, never none.
  assert.ok(pct > 5, `CPU ${pct}%`);
  const docs = await statsStream('verbs-busy', 3);
  for (let i = 1; i < docs.length; i++) {
    assert.equal(docs[i]!.precpu_stats.cpu_usage.total_usage, docs[i - 1]!.cpu_stats.cpu_usage.total_usage);
    assert.equal(docs[i]!.precpu_stats.system_cpu_usage, docs[i - 1]!.cpu_stats.system_cpu_usage);
    assert.ok(docs[i]!.cpu_stats.cpu_usage.total_usage > docs[i - 1]!.cpu_stats.cpu_usage.total_usage);
    assert.ok(Date.parse(docs[i]!.read) > Date.parse(docs[i - 1]!.read));
  }
  api.dockerOk(['rm', '-f', 'verbs-busy']);
});

test('docker cp both ways, of a file and a directory; a link in the container never leads out of it', () => {
  api.dockerOk(['run', '-d', '--name', 'verbs-cp', 'busybox', 'sh', '-c', 'ln -s / /tmp/up; ln -s /etc /tmp/etclink; sleep 300']);
  writeFileSync(join(tmp, 'one.txt'), 'one\n');
  mkdirSync(join(tmp, 'tree/sub'), { recursive: true });
  writeFileSync(join(tmp, 'tree/sub/two.txt'), 'two\n');
  api.dockerOk(['cp', join(tmp, 'one.txt'), 'verbs-cp:/tmp/']);
  api.dockerOk(['cp', join(tmp, 'tree'), 'verbs-cp:/tmp/tree-in']);
  api.dockerOk(['cp', join(tmp, 'one.txt'), 'verbs-cp:/tmp/renamed.txt']);
  assert.equal(b.ok(['exec', 'verbs-cp', 'cat', '/tmp/one.txt', '/tmp/tree-in/sub/two.txt', '/tmp/renamed.txt']), 'one\ntwo\none\n');

  api.dockerOk(['cp', 'verbs-cp:/tmp/tree-in', join(tmp, 'back')]);
  assert.equal(readFileSync(join(tmp, 'back/sub/two.txt'), 'utf8'), 'two\n');
  api.dockerOk(['cp', 'verbs-cp:/etc/hostname', join(tmp, 'hostname')]);
  assert.equal(readFileSync(join(tmp, 'hostname'), 'utf8').trim(), b.inspect('verbs-cp').Id.slice(0, 12));

  // /tmp/up is the container's /, so ../../ through it is still the container's root.
  const marker = `berth-api-cp-${process.pid}`;
  writeFileSync(join(tmp, marker), 'x\n');
  api.dockerOk(['cp', join(tmp, marker), 'verbs-cp:/tmp/up/../../tmp/']);
  assert.equal(existsSync(join('/tmp', marker)), false);
  assert.equal(b.ok(['exec', 'verbs-cp', 'cat', `/tmp/${marker}`]), 'x\n');
  // A destination link is followed inside the container: this lands in its /etc, not the host's.
  api.dockerOk(['cp', join(tmp, marker), 'verbs-cp:/tmp/etclink/']);
  assert.equal(existsSync(join('/etc', marker)), false);
  assert.equal(b.ok(['exec', 'verbs-cp', 'cat', `/etc/${marker}`]), 'x\n');

  // The host file's owner stays behind without -a, as dockerd's copyUIDGID=false; -a keeps it.
  writeFileSync(join(tmp, 'owned.txt'), 'owned\n');
  chownSync(join(tmp, 'owned.txt'), 1234, 2345);
  api.dockerOk(['cp', join(tmp, 'owned.txt'), 'verbs-cp:/tmp/owned-root.txt']);
  api.dockerOk(['cp', '-a', join(tmp, 'owned.txt'), 'verbs-cp:/tmp/owned-kept.txt']);
  assert.equal(b.ok(['exec', 'verbs-cp', 'stat', '-c', '%u:%g', '/tmp/owned-root.txt', '/tmp/owned-kept.txt']), '0:0\n1234:2345\n');

  const missing = api.docker(['cp', 'verbs-cp:/no/such', join(tmp, 'x')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /Could not find the file \/no\/such/);

  const diff = api.dockerOk(['diff', 'verbs-cp']);
  assert.match(diff, /^A \/tmp\/one\.txt$/m);
  assert.match(diff, /^A \/tmp\/tree-in\/sub\/two\.txt$/m);
  const tar = spawnSync('tar', ['-t'], { input: spawnSync('docker', ['export', 'verbs-cp'], { env: api.env, maxBuffer: 1 << 28 }).stdout, encoding: 'utf8' });
  assert.match(tar.stdout, /^tmp\/one\.txt$/m);
  assert.match(tar.stdout, /^bin\/busybox$/m);
  api.dockerOk(['rm', '-f', 'verbs-cp']);
});

test("docker build: the classic builder's stream, build args, labels, tags, and a failing step's exit", () => {
  const ctx = join(tmp, 'ctx');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nARG MSG=none\nCOPY f.txt /f.txt\nRUN echo "msg=$MSG" > /msg\nCMD ["cat", "/msg", "/f.txt"]\n');
  writeFileSync(join(ctx, 'f.txt'), 'from the context\n');
  writeFileSync(join(ctx, 'Bad.dockerfile'), 'FROM busybox\nRUN exit 3\n');
  const env = { DOCKER_BUILDKIT: '0' };
  const r = spawnSync('docker', ['build', '-t', 'built:1', '--build-arg', 'MSG=given', '--label', 'team=blue', ctx], { encoding: 'utf8',
    env: { ...api.env, ...env } });
  assert.equal(r.status, 0, r.stderr + api.log);
  assert.match(r.stdout, /^Step 1\/5 : FROM busybox$/m);
  assert.match(r.stdout, /^Step 4\/5 : RUN echo "msg=\$MSG" > \/msg$/m);
  const id = /^Successfully built ([0-9a-f]{12})$/m.exec(r.stdout)?.[1];
  assert.ok(id, r.stdout);
  assert.match(r.stdout, /^Successfully tagged \S*built:1$/m);
  assert.equal(api.dockerOk(['run', '--rm', 'built:1']), 'msg=given\nfrom the context\n');
  assert.equal(api.dockerOk(['inspect', '-f', '{{.Config.Labels.team}}', 'built:1']).trim(), 'blue');
  assert.match(b.ok(['images']), /built\s+1\s+/);

  const bad = spawnSync('docker', ['build', '-f', join(ctx, 'Bad.dockerfile'), ctx], { encoding: 'utf8', env: { ...api.env, ...env } });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /RUN exit 3.*exit code 3/);

  // -q prints only the id the aux line carried; --compress sends the context gzipped.
  const quiet = spawnSync('docker', ['build', '-q', '--compress', ctx], { encoding: 'utf8', env: { ...api.env, ...env } });
  assert.equal(quiet.status, 0, quiet.stderr);
  assert.match(quiet.stdout, /^sha256:[0-9a-f]{64}\n$/);
  assert.equal(api.dockerOk(['run', '--rm', quiet.stdout.trim()]), 'msg=none\nfrom the context\n');

  symlinkSync('/etc/shadow', join(ctx, 'leak'));
  const leak = spawnSync('docker', ['build', ctx], { encoding: 'utf8', env: { ...api.env, ...env } });
  assert.equal(leak.status, 1);
  assert.match(leak.stderr, /the link leak points outside the context/);
});

test('docker system df adds up the images, containers and volumes berth lists one by one', async () => {
  api.dockerOk(['volume', 'create', 'verbs-df-vol']);
  api.dockerOk(['run', '-d', '--name', 'verbs-df', '-v', 'verbs-df-vol:/data', 'busybox', 'sh', '-c',
    'dd if=/dev/zero of=/data/z bs=1k count=100 && dd if=/dev/zero of=/big bs=1k count=200 && echo written && sleep 300']);
  await until(() => /written/.test(b.run(['logs', 'verbs-df']).stdout), 15_000);
  const rows = api.dockerOk(['system', 'df', '--format', '{{.Type}}|{{.TotalCount}}|{{.Active}}|{{.Size}}']).trim().split('\n');
  const row = (t: string) => rows.find((r) => r.startsWith(`${t}|`))?.split('|');
  const ctrs = (jsonLines<unknown>(b.ok(['ps', '-a', '--format', 'json']))).length;
  assert.deepEqual(row('Containers')?.slice(0, 3), ['Containers', String(ctrs), '1']);
  assert.match(row('Containers')![3]!, /^20\d(\.\d+)?kB$/);
  assert.deepEqual(row('Local Volumes'), ['Local Volumes', '1', '1', '102.4kB']);
  const v = api.dockerOk(['system', 'df', '-v', '--format', '{{json .}}']);
  assert.match(v, /verbs-df-vol/);
  api.dockerOk(['rm', '-f', 'verbs-df']);
  api.dockerOk(['volume', 'rm', 'verbs-df-vol']);
});
