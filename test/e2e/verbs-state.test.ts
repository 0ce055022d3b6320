// pause/unpause, rename, port, top, update, stats and a failed exec, against real containers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Berth, sleep } from './helpers.js';
import { readCgroupValues } from '../../src/sys/cgroups.js';

let b: Berth;
before(() => {
  b = new Berth();
  b.importBusybox();
});
after(() => b.destroy());

/** The container's counter file, read from the host through its root: it moves only while it runs. */
const counter = (pid: number) => readFileSync(`/proc/${pid}/root/tmp/n`, 'utf8');

test('pause freezes every process (ps and inspect say paused); unpause lets them go on', async () => {
  b.ok(['run', '-d', '--name', 'p1', '--network', 'none', 'busybox', 'sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i > /tmp/n; sleep 0.05; done']);
  const pid = b.inspect('p1').State.Pid;
  await sleep(300);
  assert.equal(b.ok(['pause', 'p1']), 'p1\n');
  const frozenAt = counter(pid);
  await sleep(500);
  assert.equal(counter(pid), frozenAt, 'no progress while paused');
  const st = b.inspect('p1').State;
  assert.equal(st.Status, 'paused');
  assert.equal(st.Paused, true);
  assert.equal(st.Running, true);
  assert.match(b.ok(['ps']), /Up .* \(Paused\)\s+p1/);
  assert.match(b.ok(['ps', '--filter', 'status=paused', '-q']), /^[0-9a-f]{12}\n$/);
  const again = b.run(['pause', 'p1']);
  assert.equal(again.status, 125);
  assert.equal(again.stderr, 'berth: cannot pause container p1: it is paused\nhint: unpause it first\n');
  const ex = b.run(['exec', 'p1', 'true']);
  assert.equal(ex.status, 125);
  assert.match(ex.stderr, /^berth: cannot exec container p1: it is paused\n/);
  assert.equal(b.ok(['unpause', 'p1']), 'p1\n');
  await sleep(500);
  assert.notEqual(counter(pid), frozenAt, 'it runs again');
  assert.equal(b.inspect('p1').State.Status, 'running');
  const un = b.run(['unpause', 'p1']);
  assert.equal(un.status, 125);
  assert.match(un.stderr, /^berth: cannot unpause container p1: it is running\n/);
});

test('stop and rm -f of a paused container end it', () => {
  b.ok(['pause', 'p1']);
  b.ok(['stop', '-t', '1', 'p1']);
  assert.equal(b.inspect('p1').State.Status, 'exited');
  b.ok(['run', '-d', '--name', 'p2', '--network', 'none', 'busybox', 'sleep', '1000']);
  b.ok(['pause', 'p2']);
  b.ok(['rm', '-f', 'p2']);
  assert.equal(b.run(['inspect', 'p2']).status, 125);
  b.ok(['rm', 'p1']);
});

test('rename keeps the container and its id; a name in use is refused', () => {
  const id = b.ok(['run', '-d', '--name', 'old', '-p', '18931:80', 'busybox', 'httpd', '-f', '-p', '80']).trim();
  b.ok(['create', '--name', 'taken', 'busybox', 'true']);
  assert.equal(b.ok(['rename', 'old', 'new']), '');
  assert.equal(b.inspect('new').Id, id);
  assert.equal(b.run(['inspect', 'old']).status, 125);
  const r = b.run(['rename', 'new', 'taken']);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /^berth: the container name "taken" is already in use\n/);
  const m = b.run(['rename', 'ghost', 'x']);
  assert.equal(m.status, 125);
  assert.equal(m.stderr, 'berth: no such container: ghost\n');
});

test("ps --filter: Docker's keys, status implying --all, an unknown key refused", () => {
  assert.match(b.ok(['ps', '--filter', 'name=new', '--filter', 'ancestor=busybox', '--format', 'json']), /^\{[^\n]*"Names":"new"[^\n]*\}\n$/);
  assert.equal(b.ok(['ps', '-q', '--filter', 'status=created']).trim().split('\n').length, 1, 'taken, without -a');
  assert.equal(b.ok(['ps', '-q', '--filter', 'exited=0', '--filter', 'name=nothing-such']), '');
  assert.match(b.ok(['ps', '-q', '--filter', `id=${b.inspect('new').Id.slice(0, 5)}`]), /^[0-9a-f]{12}\n$/);
  const r = b.run(['ps', '--filter', 'colour=red']);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /^berth: invalid filter 'colour'\n/);
});

test("ps --format: Go templates over Docker's fields, table with headers, an unknown field refused", () => {
  b.ok(['create', '--name', 'fmtweb', '-l', 'tier=web', '--network', 'none', '-m', '64m', 'busybox', 'sleep', '100']);
  b.ok(['create', '--name', 'fmtdb', '--network', 'none', 'busybox', 'true']);
  const id = b.inspect('fmtweb').Id;
  const ps = (format: string) => b.ok(['ps', '-a', '--filter', 'name=fmt', '--format', format]);
  assert.deepEqual(ps('{{.Names}}').split('\n').filter(Boolean).sort(), ['fmtdb', 'fmtweb']);
  assert.equal(b.ok(['ps', '-a', '--filter', 'name=fmtweb', '--format', '{{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.State}}\\t{{.Labels}}\\t{{.Limits}}']),
    `${id.slice(0, 12)}\tbusybox\t"sleep 100"\tcreated\ttier=web\tmem=64m\n`);
  assert.match(b.ok(['ps', '-a', '--no-trunc', '--filter', 'name=fmtweb', '--format', '{{.ID}} {{.CreatedAt}} {{.RunningFor}} {{json .Names}}']),
    new RegExp(`^${id} \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\+0000 UTC .* ago "fmtweb"\\n$`));
  const t = ps('table {{.Names}}\\t{{.Status}}').split('\n');
  assert.match(t[0]!, /^NAMES {3,}STATUS$/);
  assert.deepEqual(t.slice(1).filter(Boolean).map((l) => l.replace(/ +/g, ' ')).sort(), ['fmtdb Created', 'fmtweb Created']);
  const refused: [string, string][] = [['{{.Nope}}', "template: can't evaluate field Nope in type container"], ['{{range .Names}}',
    'template parsing error: unexpected EOF']];
  for (const [format, message] of refused) {
    const r = b.run(['ps', '-a', '--format', format]);
    assert.equal(r.status, 125, format);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.startsWith(`berth: ${message}`) && r.stderr.split('\n').length === 2, r.stderr);
  }
  b.ok(['rm', 'fmtweb', 'fmtdb']);
});

test('port lists the published ports, or one of them', () => {
  assert.equal(b.ok(['port', 'new']), '80/tcp -> 0.0.0.0:18931\n');
  assert.equal(b.ok(['port', 'new', '80']), '0.0.0.0:18931\n');
  assert.equal(b.ok(['port', 'new', '80/tcp']), '0.0.0.0:18931\n');
  const r = b.run(['port', 'new', '81']);
  assert.equal(r.status, 125);
  assert.equal(r.stderr, "berth: no public port '81/tcp' published for new\n");
});

test("top shows the container's processes with the ps options given, and only them", () => {
  const def = b.ok(['top', 'new']);
  assert.match(def.split('\n')[0]!, /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
  assert.match(def, /httpd -f -p 80/);
  const o = b.ok(['top', 'new', '-o', 'pid,comm']);
  assert.match(o, /^PID\s+COMMAND\n/);
  assert.match(o, /\d+\s+httpd\n/);
  assert.doesNotMatch(o, /node|systemd|bash/, 'no host process');
  const r = b.run(['top', 'taken']);
  assert.equal(r.status, 125);
  assert.equal(r.stderr, 'berth: container taken is not running\n');
});

test("update changes a running container's cgroup and its record, and a stopped one's next start", () => {
  b.ok(['run', '-d', '--name', 'u1', '--network', 'none', '-m', '64m', 'busybox', 'sleep', '1000']);
  assert.equal(b.ok(['update', '-m', '32m', '--cpus', '0.5', '--cpuset-cpus', '0', '--pids-limit', '40', '--restart', 'on-failure:2', 'u1']), 'u1\n');
  const v = readCgroupValues(b.inspect('u1').State.Pid);
  assert.equal(v.cpusetCpus, '0');
  assert.equal(v.memoryLimit, 32 << 20);
  assert.equal(v.cpuQuota, 50_000);
  assert.equal(v.pidsMax, 40);
  const hc = b.inspect('u1').HostConfig;
  assert.equal(hc.Memory, 32 << 20);
  assert.equal(hc.PidsLimit, 40);
  assert.deepEqual(hc.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });
  b.ok(['stop', '-t', '0', 'u1']);
  b.ok(['update', '--pids-limit', '30', 'u1']);
  b.ok(['start', 'u1']);
  assert.equal(readCgroupValues(b.inspect('u1').State.Pid).pidsMax, 30);
  for (const [args, re] of [
    [['update', '-m', '32m', 'gone'], /^berth: no such container: gone\n/],
    [['update', 'u1'], /^berth: you must provide one or more flags/],
    [['update', '--cpus', 'lots', 'u1'], /^berth: invalid --cpus "lots"/],
  ] as [string[], RegExp][]) {
    const r = b.run(args);
    assert.equal(r.status, 125, args.join(' '));
    assert.match(r.stderr, re);
  }
  assert.equal(b.inspect('u1').HostConfig.PidsLimit, 30, 'a refused update changed nothing');
});

test("stats --no-stream: Docker's columns, the memory limit, CPU of a busy container, --format and --all", () => {
  b.ok(['run', '-d', '--name', 'busy', '--network', 'none', '-m', '48m', 'busybox', 'sh', '-c', 'while true; do :; done']);
  const t = b.ok(['stats', '--no-stream']);
  assert.match(t.split('\n')[0]!, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
  const line = t.split('\n').find((l) => /\sbusy\s/.test(l))!;
  assert.match(line, /\/ 48MiB/);
  const cpu = Number(/(\d+\.\d+)%/.exec(line)![1]);
  assert.ok(cpu > 30, `a spinning shell uses a CPU (${cpu}%)`);
  const js = b.ok(['stats', '--no-stream', '--format', 'json', 'busy']).trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
  assert.equal(js.length, 1);
  assert.equal(js[0]!.Name, 'busy');
  assert.equal(js[0]!.PIDs, '1');
  assert.equal(b.ok(['stats', '--no-stream', '--format', '{{.Name}}:{{.PIDs}}', 'busy']), 'busy:1\n');
  assert.match(b.ok(['stats', '--no-stream', '--all', '--format', '{{.Name}} {{.CPUPerc}}']), /taken 0\.00%/, '--all shows stopped ones too');
  const bad = b.run(['stats', '--no-stream', '--format', '{{range .}}']);
  assert.equal(bad.status, 125);
  assert.match(bad.stderr, /^berth: template parsing error: unexpected EOF\n$/);
  b.ok(['rm', '-f', 'busy']);
});

test("a failed exec prints one berth line, with Docker's 126 and 127", () => {
  const nf = b.run(['exec', 'new', 'no-such-command']);
  assert.equal(nf.status, 127);
  assert.equal(nf.stderr.split('\n').filter(Boolean).length, 1, nf.stderr);
  assert.match(nf.stderr, /^berth: no-such-command: command not found in container/);
  const ne = b.run(['exec', 'new', '/etc/passwd']);
  assert.equal(ne.status, 126);
  assert.equal(ne.stderr.split('\n').filter(Boolean).length, 1, ne.stderr);
  // The process's own stderr still comes through.
  const own = b.run(['exec', 'new', 'sh', '-c', 'echo mine >&2; exit 4']);
  assert.equal(own.status, 4);
  assert.equal(own.stderr, 'mine\n');
});
