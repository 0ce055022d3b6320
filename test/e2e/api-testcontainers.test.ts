// testcontainers 12.0.1 (npm), as a project's own test suite uses it, against berth serve: a
// GenericContainer from a local image with an exposed port and a wait strategy, its mapped port
// read and spoken to over loopback, then stopped. Ryuk, its reaper, is an image not here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Berth } from './helpers.js';
import { ApiServer } from './api-helpers.js';

let b: Berth;
let api: ApiServer;
before(async () => {
  b = new Berth();
  b.importBusybox();
  api = new ApiServer(b);
  await api.start();
  // testcontainers reads its environment on first use, which comes after this.
  Object.assign(process.env, { DOCKER_HOST: `unix://${api.socket}`, TESTCONTAINERS_RYUK_DISABLED: 'true', DOCKER_CONFIG: api.dockerConfig });
});
after(async () => {
  await api.stop();
  b.destroy();
});

const HTTPD = ['sh', '-c', 'mkdir -p /www && echo hello-from-testcontainers > /www/index.html && echo serving && exec httpd -f -p 8080 -h /www'];

async function get(url: string): Promise<string> {
  const r = await fetch(url);
  return r.text();
}

test('a GenericContainer with a log-message wait: mapped port, a request over loopback, stop', async () => {
  const { GenericContainer, Wait } = await import('testcontainers');
  const c = await new GenericContainer('busybox').withCommand(HTTPD).withExposedPorts(8080).withWaitStrategy(Wait.forLogMessage('serving')).start();
  try {
    const port = c.getMappedPort(8080);
    assert.ok(port > 0);
    assert.equal(b.inspect(c.getId()).State.Running, true);
    assert.equal(await get(`http://127.0.0.1:${port}/`), 'hello-from-testcontainers\n');
  } finally {
    await c.stop();
  }
  assert.equal(b.run(['inspect', c.getId()]).status, 125, 'stop removes the container, as testcontainers asks');
});

test('a GenericContainer with the listening-ports wait (it probes from inside and outside)', async () => {
  const { GenericContainer, Wait } = await import('testcontainers');
  const c = await new GenericContainer('busybox').withCommand(HTTPD).withExposedPorts(8080).withWaitStrategy(Wait.forListeningPorts()).start();
  try {
    assert.equal(await get(`http://${c.getHost()}:${c.getMappedPort(8080)}/`), 'hello-from-testcontainers\n');
  } finally {
    await c.stop();
  }
});
