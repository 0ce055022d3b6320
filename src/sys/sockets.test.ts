// Against real sockets of this namespace, and against `ss`, whose answer it replaces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { boundPortsFromProc } from './sockets.js';

function ssPorts(flag: '-t' | '-u'): Set<number> {
  const r = spawnSync('ss', ['-H', '-l', '-n', flag], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return new Set(r.stdout.split('\n').map((l) => l.trim().split(/\s+/)[3] ?? '').filter(Boolean).map((a) => Number(a.slice(a.lastIndexOf(':') + 1))));
}

test('a TCP listener and a bound UDP socket are seen; a connected TCP socket and a connected UDP one are not', async () => {
  const server: Server = createServer((s) => s.on('error', () => undefined));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const client: Socket = connect(port, '127.0.0.1');
  await once(client, 'connect');
  const udp = createSocket('udp4');
  udp.bind(0, '127.0.0.1');
  await once(udp, 'listening');
  const connected = createSocket('udp4');
  connected.connect(udp.address().port, '127.0.0.1');
  await once(connected, 'connect');
  try {
    const tcpBefore = ssPorts('-t');
    const udpBefore = ssPorts('-u');
    const tcp = boundPortsFromProc('tcp')!;
    const u = boundPortsFromProc('udp')!;
    const tcpAfter = ssPorts('-t');
    const udpAfter = ssPorts('-u');
    assert.ok(tcp.has(port), 'the listener');
    assert.ok(!tcp.has(client.localPort!), "the client's ephemeral port is not listening");
    assert.ok(u.has(udp.address().port), 'the bound UDP socket');
    assert.ok(!u.has(connected.address().port), 'a connected UDP socket is not one ss -l lists');
    // ss's answer, whatever other programs of the host opened or closed in between: every port
    // ss saw both times is seen, and none that ss saw neither time.
    for (const [mine, before, after] of [[tcp, tcpBefore, tcpAfter], [u, udpBefore, udpAfter]] as const) {
      for (const p of before) if (after.has(p)) assert.ok(mine.has(p), `port ${p}, in ss's answer, is seen`);
      for (const p of mine) assert.ok(before.has(p) || after.has(p), `port ${p} is not in ss's answer`);
    }
  } finally {
    client.destroy();
    server.close();
    udp.close();
    connected.close();
  }
});

test('tables longer than the cap are left to ss', () => {
  assert.equal(boundPortsFromProc('tcp', 10), null);
});
