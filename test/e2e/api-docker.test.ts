// The docker CLI 28.2 against a real `berth serve`: its everyday verbs end to end, and what it
// makes is what `berth ps` and `berth inspect` show (one instances file).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { Berth, until } from './helpers.js';
import { ApiServer } from './api-helpers.js';

let b: Berth;
let api: ApiServer;
before(async () => {
  b = new Berth();
  b.importBusybox();
  api = new ApiServer(b);
  await api.start();
});
after(async () => {
  await api.stop();
  b.destroy();
});

function raw(method: string, path: string, body?: unknown): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = request({ socketPath: api.socket, method, path, headers: text ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      let data = '';
      res.on('data', (d: Buffer) => {
        data += d.toString();
      });
      // 'close' rather than 'end': a stream the server cut off ends the request too.
      res.on('close', () => {
        replied = { status: res.statusCode ?? 0, headers: res.headers, body: data };
        if (written) resolve(replied);
      });
    });
    // A refused body is answered before it is all sent: the reply counts only once the rest has
    // gone too, so that a server that stops reading fails here (EPIPE), not in a later test.
    let replied: { status: number; headers: Record<string, unknown>; body: string } | undefined;
    let written = false;
    req.on('finish', () => {
      written = true;
      if (replied) resolve(replied);
    });
    req.on('error', reject);
    req.end(text);
  });
}

test('docker version speaks to berth at API 1.44', () => {
  const out = api.dockerOk(['version', '--format', '{{.Server.Version}} {{.Server.APIVersion}} {{.Server.Os}}']);
  assert.equal(out.trim(), '0.1.0 1.44 linux');
});

test('_ping answers with the headers clients read; versions outside 1.24..1.44 get 400', async () => {
  const ping = await raw('HEAD', '/_ping');
  assert.equal(ping.status, 200);
  assert.equal(ping.headers['api-version'], '1.44');
  assert.equal(ping.headers.ostype, 'linux');
  assert.equal(ping.headers['builder-version'], '1');
  assert.equal(ping.headers['docker-experimental'], 'false');
  assert.equal((await raw('GET', '/v1.24/_ping')).body, 'OK');
  const tooNew = await raw('GET', '/v1.45/version');
  assert.equal(tooNew.status, 400);
  assert.match(JSON.parse(tooNew.body).message, /too new/);
  assert.equal((await raw('GET', '/v1.41/containers/nosuch/json')).status, 404);
  assert.match(JSON.parse((await raw('GET', '/containers/nosuch/json')).body).message, /^No such container: nosuch/);
});

test('bad request bodies get 400 and create nothing', async () => {
  assert.equal((await raw('POST', '/containers/create', '{not json')).status, 400);
  assert.equal((await raw('POST', '/containers/create', { Image: 'busybox', Cmd: 5 })).status, 400);
  assert.equal((await raw('POST', '/containers/create', { Image: 'busybox', HostConfig: { Binds: ['relative:/x:rw', '../../etc:/x'] } })).status, 400);
  assert.equal(
    (await raw('POST', '/containers/create', { Image: 'busybox', HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8080; rm -rf /' }] } } })).status,
    400,
  );
  // The client writes the whole body and still reads the reply: the server drains what it refuses.
  const big = await raw('POST', '/containers/create', { Image: 'busybox', Env: ['X='.padEnd(2 << 20, 'y')] });
  assert.equal(big.status, 413);
  assert.equal(b.ok(['ps', '-aq']), '');
});

test('docker run --rm busybox echo hi: output, exit code, and nothing left', () => {
  const r = api.docker(['run', '--rm', '--network', 'none', 'busybox', 'echo', 'hi']);
  assert.equal(r.status, 0, r.stderr + api.log);
  assert.equal(r.stdout, 'hi\n');
  const fail = api.docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(fail.status, 3, fail.stderr);
  assert.equal(fail.stdout, 'out\n');
  assert.equal(fail.stderr, 'err\n');
  assert.equal(b.ok(['ps', '-aq']), '');
  assert.deepEqual(readdirSync(join(b.root, 'containers')), []);
});

test('docker run without --rm keeps the exited container, with its code', () => {
  const r = api.docker(['run', '--name', 'once', '--network', 'none', 'busybox', 'sh', '-c', 'exit 7']);
  assert.equal(r.status, 7, r.stderr);
  assert.equal(b.inspect('once').State.ExitCode, 7);
  api.dockerOk(['rm', 'once']);
});

test('run -d with limits and a port, ps, logs, inspect, stop, rm; berth sees the same', async () => {
  const id = api.dockerOk(['run', '-d', '--name', 'web', '-m', '64m', '--cpus', '0.5', '--pids-limit', '50', '-p', '127.0.0.1::80', '--label', 'tier=front',
    'busybox', 'sh', '-c', 'echo started; echo oops >&2; trap "exit 0" TERM; while true; do sleep 0.1; done']).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  const ps = api.dockerOk(['ps', '--format', '{{.ID}} {{.Names}} {{.Status}} {{.Ports}}']);
  assert.match(ps, new RegExp(`^${id.slice(0, 12)} web Up .* 127\\.0\\.0\\.1:\\d+->80/tcp\\n$`));
  assert.equal(api.dockerOk(['ps', '-q', '--filter', 'label=tier=front']).trim(), id.slice(0, 12));
  assert.equal(api.dockerOk(['ps', '-q', '--filter', 'label=tier=back']).trim(), '');
  // berth's own view of what the docker CLI made
  const mine = b.inspect('web');
  assert.equal(mine.Id, id);
  assert.equal(mine.HostConfig.Memory, 64 * 1024 * 1024);
  assert.equal(mine.HostConfig.NanoCpus, 5e8);
  assert.equal(mine.HostConfig.PidsLimit, 50);
  assert.match(b.ok(['ps']), /web/);
  await until(() => api.docker(['logs', 'web']).stdout === 'started\n', 5000);
  const logs = api.docker(['logs', 'web']);
  assert.equal(logs.stderr, 'oops\n');
  const doc = JSON.parse(api.dockerOk(['inspect', 'web']))[0];
  assert.equal(doc.Name, '/web');
  assert.equal(doc.State.Running, true);
  assert.deepEqual(doc.Config.Labels, { tier: 'front' });
  const binding = doc.NetworkSettings.Ports['80/tcp'][0];
  assert.equal(binding.HostIp, '127.0.0.1');
  assert.match(binding.HostPort, /^\d+$/);
  assert.ok(doc.NetworkSettings.Networks.berth.IPAddress);
  assert.equal(api.dockerOk(['stop', '-t', '5', 'web']).trim(), 'web');
  assert.equal(b.inspect('web').State.Status, 'exited');
  assert.equal(b.inspect('web').State.ExitCode, 0);
  assert.equal(api.dockerOk(['rm', 'web']).trim(), 'web');
  assert.equal(b.ok(['ps', '-aq']), '');
});

test('logs -f follows until the container ends; stop of a stopped one is not an error', () => {
  api.dockerOk(['run', '-d', '--name', 'counter', '--network', 'none', 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo $i; sleep 0.2; done']);
  const r = api.docker(['logs', '-f', 'counter'], { timeoutMs: 15_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '1\n2\n3\n');
  assert.equal(api.dockerOk(['stop', 'counter']).trim(), 'counter');
  const running = api.docker(['rm', 'nosuch']);
  assert.equal(running.status, 1);
  assert.match(running.stderr, /No such container: nosuch/);
  api.dockerOk(['rm', '-f', 'counter']);
});

test('images and tag through the API', () => {
  const out = api.dockerOk(['images', '--format', '{{.Repository}}:{{.Tag}}']);
  assert.match(out, /busybox:latest/);
  api.dockerOk(['tag', 'busybox', 'apitest/box:1']);
  assert.match(b.ok(['images']), /apitest\/box/);
  assert.match(api.dockerOk(['rmi', 'apitest/box:1']), /Untagged/);
  const missing = api.docker(['rmi', 'nosuch:1']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /No such image/);
});

test('network create, run with --network and --ip, ls, inspect, rm', () => {
  const nid = api.dockerOk(['network', 'create', '--subnet', '10.231.7.0/24', '--label', 'k=v', 'apinet']).trim();
  assert.match(nid, /^[0-9a-f]{64}$/);
  assert.match(api.dockerOk(['network', 'ls', '--format', '{{.Name}}']), /^apinet$/m);
  assert.match(b.ok(['network', 'ls']), /apinet/);
  api.dockerOk(['run', '-d', '--name', 'member', '--network', 'apinet', '--ip', '10.231.7.9', '--network-alias', 'db', 'busybox', 'sleep', '100']);
  const nets = JSON.parse(api.dockerOk(['inspect', '-f', '{{json .NetworkSettings.Networks}}', 'member']));
  assert.equal(nets.apinet.IPAddress, '10.231.7.9');
  assert.ok(nets.apinet.Aliases.includes('db'));
  // API 1.44 lists the short id among the aliases, as docker-compose 1.29 expects.
  assert.ok(nets.apinet.Aliases.includes(b.inspect('member').Id.slice(0, 12)));
  const net = JSON.parse(api.dockerOk(['network', 'inspect', 'apinet']))[0];
  assert.equal(net.IPAM.Config[0].Subnet, '10.231.7.0/24');
  assert.deepEqual(net.Labels, { k: 'v' });
  assert.equal(Object.keys(net.Containers).length, 1);
  const busy = api.docker(['network', 'rm', 'apinet']);
  assert.notEqual(busy.status, 0, 'a network in use is not removed');
  api.dockerOk(['rm', '-f', 'member']);
  api.dockerOk(['network', 'rm', 'apinet']);
  assert.doesNotMatch(b.ok(['network', 'ls']), /apinet/);
  assert.equal(JSON.parse(api.dockerOk(['network', 'inspect', 'bridge']))[0].Name, 'berth');
});

test('a long request does not block the others; stopping the server leaves containers running', async () => {
  api.dockerOk(['run', '-d', '--name', 'long', '--network', 'none', 'busybox', 'sleep', '1000']);
  const waiting = raw('POST', '/containers/long/wait');
  const t0 = Date.now();
  for (let i = 0; i < 5; i++) assert.equal((await raw('GET', '/containers/json')).status, 200);
  assert.ok(Date.now() - t0 < 5000);
  await api.stop();
  assert.equal(existsSync(api.socket), false, 'the socket is removed');
  const cut = await waiting;
  assert.equal(cut.body, '', 'the wait was cut off, not answered');
  assert.equal(b.inspect('long').State.Status, 'running');
  b.ok(['rm', '-f', 'long']);
  api = new ApiServer(b);
  await api.start();
});

test('docker exec: output on both streams, its exit code, -w and -e, -d, a missing command', async () => {
  api.dockerOk(['run', '-d', '--name', 'ex', '--network', 'none', 'busybox', 'sleep', '1000']);
  const r = api.docker(['exec', 'ex', 'sh', '-c', 'echo out; echo err >&2; exit 5']);
  assert.equal(r.status, 5);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
  assert.equal(api.dockerOk(['exec', '-w', '/tmp', '-e', 'FOO=bar', 'ex', 'sh', '-c', 'echo $(pwd) $FOO']), '/tmp bar\n');
  assert.equal(api.docker(['exec', 'ex', '/nope']).status, 127);
  api.dockerOk(['exec', '-d', 'ex', 'touch', '/tmp/made-by-detached-exec']);
  await until(() => api.docker(['exec', 'ex', 'ls', '/tmp']).stdout.includes('made-by-detached-exec'), 5000);
  api.dockerOk(['stop', '-t', '0', 'ex']);
  assert.notEqual(api.docker(['exec', 'ex', 'true']).status, 0, 'no exec in a stopped container');
  api.dockerOk(['rm', 'ex']);
});

test('history and the prunes: containers, networks, images', () => {
  const hist = api.dockerOk(['history', '--format', '{{.Size}}', 'busybox']);
  assert.ok(hist.trim().length > 0);
  const idle = api.dockerOk(['create', '--name', 'idle', '--label', 'p=1', '--network', 'none', 'busybox', 'true']).trim();
  api.dockerOk(['run', '-d', '--name', 'busy', '--network', 'none', 'busybox', 'sleep', '100']);
  const pruned = api.dockerOk(['container', 'prune', '-f', '--filter', 'label=p=1']);
  assert.match(pruned, /Deleted Containers/);
  assert.ok(pruned.includes(idle), pruned);
  assert.match(b.ok(['ps', '-a']), /busy/);
  assert.doesNotMatch(b.ok(['ps', '-a']), /idle/);
  api.dockerOk(['rm', '-f', 'busy']);
  api.dockerOk(['network', 'create', 'unused']);
  assert.match(api.dockerOk(['network', 'prune', '-f']), /unused/);
  assert.doesNotMatch(b.ok(['network', 'ls']), /unused/);
  api.dockerOk(['image', 'prune', '-f']);
  assert.match(b.ok(['images']), /busybox/, 'a tagged image is not pruned');
});

test('docker run --rm of a command that cannot start: 127 or 126, and nothing left', () => {
  const missing = api.docker(['run', '--rm', '--network', 'none', 'busybox', '/nope'], { timeoutMs: 20_000 });
  assert.equal(missing.status, 127, missing.stderr);
  const notExec = api.docker(['run', '--rm', '--network', 'none', 'busybox', '/etc/passwd'], { timeoutMs: 20_000 });
  assert.equal(notExec.status, 126, notExec.stderr);
  assert.equal(b.ok(['ps', '-aq']), '');
  const kept = api.docker(['run', '--name', 'nostart', '--network', 'none', 'busybox', '/nope'], { timeoutMs: 20_000 });
  assert.equal(kept.status, 127, kept.stderr);
  assert.match(b.ok(['ps', '-a']), /nostart/, 'without --rm the container stays, as in Docker');
  api.dockerOk(['rm', 'nostart']);
  const dup = api.dockerOk(['create', '--name', 'twice', '--network', 'none', 'busybox', 'true']);
  const again = api.docker(['create', '--name', 'twice', '--network', 'none', 'busybox', 'true']);
  assert.notEqual(again.status, 0);
  assert.match(again.stderr, /twice/);
  api.dockerOk(['rm', dup.trim()]);
});

test('docker info, image inspect, start -a (this run only), kill, wait, restart', () => {
  assert.match(api.dockerOk(['info', '--format', '{{.ServerVersion}} {{.OSType}} {{.Images}}']), /^0\.1\.0 linux \d+\n$/);
  assert.match(api.dockerOk(['image', 'inspect', '-f', '{{.Os}}', 'busybox']), /^linux\n$/);
  api.dockerOk(['create', '--name', 'twice-run', '--network', 'none', 'busybox', 'sh', '-c', 'echo run; exit 2']);
  for (let i = 0; i < 2; i++) {
    const r = api.docker(['start', '-a', 'twice-run'], { timeoutMs: 20_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, 'run\n');
  }
  assert.equal(api.dockerOk(['logs', 'twice-run']), 'run\nrun\n');
  assert.equal(api.dockerOk(['wait', 'twice-run']), '2\n');
  api.dockerOk(['run', '-d', '--name', 'victim', '--network', 'none', 'busybox', 'sleep', '100']);
  api.dockerOk(['kill', 'victim']);
  assert.equal(api.dockerOk(['wait', 'victim']), '137\n');
  api.dockerOk(['restart', 'victim']);
  assert.equal(b.inspect('victim').State.Status, 'running');
  api.dockerOk(['rm', '-f', 'victim', 'twice-run']);
  assert.equal(b.ok(['ps', '-aq']), '');
});

test('volume create, ls, inspect, a container writing to it, rm refused while in use, prune', () => {
  assert.equal(api.dockerOk(['volume', 'create', 'apivol']).trim(), 'apivol');
  assert.match(api.dockerOk(['volume', 'ls', '--format', '{{.Name}} {{.Driver}}']), /^apivol local$/m);
  const mp = api.dockerOk(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'apivol']).trim();
  assert.ok(mp.startsWith(b.root), mp);
  assert.equal(api.docker(['run', '--name', 'writer', '--network', 'none', '-v', 'apivol:/data', 'busybox', 'sh', '-c', 'echo kept > /data/f']).status, 0);
  assert.equal(readFileSync(join(mp, 'f'), 'utf8'), 'kept\n');
  const busy = api.docker(['volume', 'rm', 'apivol']);
  assert.notEqual(busy.status, 0);
  assert.match(busy.stderr, /in use/);
  // Labels are kept, as `berth volume create --label` keeps them: the two fronts share one volume engine.
  api.dockerOk(['volume', 'create', '--label', 'a=b', 'labelled']);
  assert.equal(api.dockerOk(['volume', 'inspect', '-f', '{{index .Labels "a"}}', 'labelled']).trim(), 'b');
  assert.match(b.ok(['volume', 'inspect', 'labelled']), /"a": "b"/);
  api.dockerOk(['volume', 'rm', 'labelled']);
  api.dockerOk(['rm', 'writer']);
  api.dockerOk(['volume', 'create', 'other']);
  api.dockerOk(['volume', 'rm', 'other']);
  const anon = api.dockerOk(['volume', 'create']).trim();
  const plain = api.dockerOk(['volume', 'prune', '-f']);
  assert.ok(plain.includes(anon) && !plain.includes('apivol'), `without -a only anonymous volumes go: ${plain}`);
  assert.match(api.dockerOk(['volume', 'prune', '-a', '-f']), /apivol/);
  assert.equal(api.dockerOk(['volume', 'ls', '-q']), '');
  assert.equal(api.docker(['volume', 'inspect', 'apivol']).status, 1);
});

test('docker save and docker load round-trip an image through the API', () => {
  const dir = mkdtempSync('/tmp/berth-test-save-');
  try {
    const tar = join(dir, 'box.tar');
    api.dockerOk(['tag', 'busybox', 'roundtrip/box:1']);
    api.dockerOk(['save', '-o', tar, 'roundtrip/box:1']);
    assert.ok(statSync(tar).size > 100_000);
    api.dockerOk(['rmi', 'roundtrip/box:1']);
    assert.doesNotMatch(b.ok(['images']), /roundtrip/);
    assert.match(api.dockerOk(['load', '-i', tar]), /Loaded image: .*roundtrip\/box:1/);
    assert.match(b.ok(['images']), /roundtrip\/box/);
    api.dockerOk(['rmi', 'roundtrip/box:1']);
    assert.equal(api.docker(['save', '-o', tar, 'nosuch:1']).status, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// One serve process answers a `docker ps` while it is starting a container: the list's mending of
// half-made starts must leave this process's own start alone (it once unmounted the rootfs under
// it: "sleep: command not found in image", or runc's "unable to store init state").
test('docker ps while the same server starts containers does not undo the starts', async () => {
  const names = ['api-busy-one', 'api-busy-two', 'api-busy-three'];
  const ids: string[] = [];
  for (const name of names) {
    const r = await raw('POST', `/containers/create?name=${name}`, { Image: 'busybox', Cmd: ['sleep', '1000'], HostConfig: { NetworkMode: 'none' } });
    assert.equal(r.status, 201, r.body);
    ids.push((JSON.parse(r.body) as { Id: string }).Id);
  }
  try {
    let done = false;
    let lists = 0;
    const lister = (async () => {
      while (!done) {
        assert.equal((await raw('GET', '/containers/json?all=1')).status, 200);
        lists++;
      }
    })();
    const starts = await Promise.all(ids.map((id) => raw('POST', `/containers/${id}/start`)));
    done = true;
    await lister;
    assert.deepEqual(starts.map((r) => `${r.status} ${r.body}`), ids.map(() => '204 '));
    assert.ok(lists > 0);
    for (const name of names) {
      assert.equal(b.inspect(name).State.Status, 'running');
      assert.equal(b.ok(['exec', name, 'echo', 'alive']).trim(), 'alive');
    }
  } finally {
    b.run(['rm', '-f', ...names]);
  }
});
