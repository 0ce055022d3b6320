import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePortSpec, exposedToSpecs, hostBoundPorts } from './portspec.js';
import { isBerthError } from '../common/errors.js';

test('parsePortSpec reads Docker forms', () => {
  assert.deepEqual(parsePortSpec('8080:80'), { hostIp: '', hostPort: 8080, containerPort: 80, proto: 'tcp' });
  assert.deepEqual(parsePortSpec('127.0.0.1:8080:80/udp'), { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, proto: 'udp' });
  assert.deepEqual(parsePortSpec('80'), { hostIp: '', hostPort: 0, containerPort: 80, proto: 'tcp' });
  assert.deepEqual(parsePortSpec('127.0.0.1::53/UDP'), { hostIp: '127.0.0.1', hostPort: 0, containerPort: 53, proto: 'udp' });
  assert.deepEqual(parsePortSpec('0.0.0.0:1:2'), { hostIp: '', hostPort: 1, containerPort: 2, proto: 'tcp' });
});

test('parsePortSpec refuses junk with one error code', () => {
  for (const bad of ['', 'a:80', '8080:0', '70000:80', '80/sctp', '1.2.3:80:80', '1:2:3:4', '80/tcp/x']) {
    assert.throws(() => parsePortSpec(bad), (e) => isBerthError(e) && e.code === 'port.bad_spec', bad);
  }
});

test('exposedToSpecs asks for random host ports', () => {
  assert.deepEqual(exposedToSpecs(['80/tcp', '53/udp', '9000']).map((s) => [s.hostPort, s.containerPort, s.proto]), [[0, 80, 'tcp'], [0, 53, 'udp'], [0, 9000,
    'tcp']]);
});

test('hostBoundPorts sees a listening socket', async () => {
  const net = await import('node:net');
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  try {
    assert.ok(hostBoundPorts('tcp').has(port));
  } finally {
    srv.close();
  }
});
