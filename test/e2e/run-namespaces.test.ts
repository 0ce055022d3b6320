// run --network container:NAME, --pid and --ipc (host, container:NAME) and --domainname, as
// Docker's: checked from inside the containers; bad values are one line and exit 125.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readlinkSync } from 'node:fs';
import { Berth } from './helpers.js';

let b: Berth;

before(() => {
  b = new Berth();
  b.importBusybox();
  b.ok(['run', '-d', '--name', 'nsowner', '--hostname', 'ownerhost', 'busybox', 'sh', '-c',
    'mkdir -p /www && echo from-owner > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www']);
});

after(() => b.destroy());

test('--network container:, --pid container: and --ipc host join those namespaces', () => {
  const out = b.ok(['run', '--rm', '--network', 'container:nsowner', '--pid', 'container:nsowner', '--ipc', 'host', 'busybox', 'sh', '-c',
    'wget -qO- http://127.0.0.1:8080/; hostname; ps -o comm | grep -c httpd; readlink /proc/self/ns/ipc']).trim().split('\n');
  assert.deepEqual(out, ['from-owner', 'ownerhost', '1', readlinkSync('/proc/self/ns/ipc')]);
  const info = b.inspect('nsowner') as any;
  b.ok(['create', '--name', 'nsjoiner', '--network', 'container:nsowner', '--pid', 'host', 'busybox', 'true']);
  const hc = (b.inspect('nsjoiner') as any).HostConfig;
  assert.equal(hc.NetworkMode, `container:${info.Id}`);
  assert.equal(hc.PidMode, 'host');
  assert.equal(hc.IpcMode, 'private');
  b.ok(['rm', 'nsjoiner']);
});

test('--domainname sets the NIS domain inside', () => {
  assert.equal(b.ok(['run', '--rm', '--network', 'none', '--domainname', 'corp.test', 'busybox', 'cat', '/proc/sys/kernel/domainname']).trim(), 'corp.test');
});

test('what cannot be joined is one line and exit 125, with nothing made', () => {
  const before = b.ok(['ps', '-aq']);
  for (const [args, re] of [
    [['--network', 'container:nosuch'], /^berth: no such container: nosuch$/m],
    [['--network', 'container:nsowner', '--hostname', 'x'], /^berth: conflicting options: hostname and the network mode$/m],
    [['--network', 'container:nsowner', '-p', '8081:80'], /^berth: publishing ports needs a bridge network, not --network container$/m],
    [['--pid', 'sideways'], /^berth: --pid: invalid PID mode "sideways"$/m],
  ] as const) {
    const r = b.run(['run', '--rm', ...args, 'busybox', 'true']);
    assert.equal(r.status, 125, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
  assert.equal(b.ok(['ps', '-aq']), before);
  b.ok(['stop', '-t', '1', 'nsowner']);
  const r = b.run(['run', '--rm', '--network', 'container:nsowner', 'busybox', 'true']);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /^berth: cannot join the network namespace of container nsowner: it is not running$/m);
  assert.equal(b.ok(['ps', '-aq']), before);
});
