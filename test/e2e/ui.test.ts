// The dashboard of `berth serve --ui` in a real browser (Debian's chromium, headless), against real
// containers made with the CLI: what the page shows must be what `berth` says, and its buttons
// must do what the CLI would. BERTH_WRITE_SCREENSHOTS=1 writes docs/ui/*.png for the README.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import { Berth, NGINX_TAR, REPO, jsonLines } from './helpers.js';
import { TestRegistry } from './registry-helpers.js';
import { Chromium, freePort, UiServer } from './ui-helpers.js';

const b = new Berth();
const ui = new UiServer(b);
const browser = new Chromium();
const reg = new TestRegistry();
let page: Page;
let webIp = '';
const problems: string[] = [];
const SHOTS = process.env.BERTH_WRITE_SCREENSHOTS === '1';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

before(async () => {
  b.importBusybox();
  b.ok(['network', 'create', 'ui-net']);
  b.ok(['volume', 'create', 'ui-data']);
  b.ok(['run', '-d', '--name', 'ui-web', '--network', 'ui-net', '-m', '64m', '-v', 'ui-data:/data', 'busybox', 'sh', '-c',
    'echo ui-log-line-one; while true; do sleep 1; done']);
  b.ok(['run', '-d', '--name', 'ui-idle', '--network', 'ui-net', 'busybox', 'sleep', '1000']);
  // A real compose project: the Stacks page finds it by the labels compose gives its containers.
  writeFileSync(join(b.root, 'compose.yaml'), 'services:\n  app:\n    image: busybox\n    command: ["sleep", "1000"]\n    deploy:\n      replicas: 2\n');
  b.ok(['compose', '-f', join(b.root, 'compose.yaml'), '-p', 'ui-demo', 'up', '-d']);
  b.ok(['tag', 'busybox', 'ui-spare:1']);
  webIp = b.inspect('ui-web').NetworkSettings.Networks['ui-net']!.IPAddress;
  // A registry on loopback with a several-layer image for the pull (Debian's docker-registry).
  await reg.start();
  const copied = spawnSync('skopeo', ['copy', '--dest-tls-verify=false', `oci-archive:${NGINX_TAR}`, `docker://${reg.host}/lib/web:1`], { encoding: 'utf8' });
  if (copied.status !== 0) throw new Error(copied.stderr);
  await ui.start();
  const ctx = await browser.launch();
  page = await ctx.newPage();
  page.on('console', (m) => {
    // The one refused request is the test's own (remove of a running container).
    if (m.type() === 'error' && !/status of 409/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
});

after(async () => {
  await browser.close();
  await ui.stop();
  await reg.stop();
  b.destroy();
});

async function shot(name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(join(REPO, 'docs/ui'), { recursive: true });
  await page.screenshot({ path: join(REPO, `docs/ui/${name}.png`), fullPage: true });
}

/** axe-core's checks on the page as it is; CDP's evaluate is not held by the page's CSP. */
async function axe(): Promise<string[]> {
  await page.evaluate(`${AXE}\n;0`);
  const r = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run(): Promise<{ violations: { id: string; help: string; nodes: { target: string[] }[] }[] }> } };
    return (await w.axe.run()).violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return r;
}

test('without the session cookie every request is 401, the page and its files alike', async () => {
  for (const path of ['/', '/app.js', '/app.css', '/ui/api/containers', '/ui/api/containers/ui-web/logs']) {
    const r = await fetch(ui.origin + path);
    assert.equal(r.status, 401, path);
  }
  const wrong = await fetch(`${ui.origin}/?token=${'0'.repeat(64)}`, { redirect: 'manual' });
  assert.equal(wrong.status, 401);
});

test('the printed token logs in once, for an HttpOnly SameSite=Strict cookie, and the page lists the containers', async () => {
  await page.goto(ui.loginUrl);
  assert.equal(new URL(page.url()).search, '', 'the token is taken off the address');
  const cookies = await page.context().cookies(ui.origin);
  const c = cookies.find((x) => x.name === `berth_ui_${new URL(ui.origin).port}`);
  assert.ok(c, 'session cookie set');
  assert.equal(c.httpOnly, true);
  assert.equal(c.sameSite, 'Strict');
  // Spent: a second use (someone who read it over the user's shoulder) gets nothing.
  assert.equal((await fetch(ui.loginUrl, { redirect: 'manual' })).status, 401);

  for (const name of ['ui-web', 'ui-idle', 'ui-demo-app-1', 'ui-demo-app-2']) await page.locator(`tr[data-name="${name}"][data-status="running"]`).waitFor();
  const row = page.locator('tr[data-name="ui-web"]');
  assert.match(await row.innerText(), new RegExp(`${webIp.replace(/\./g, '\\.')}\\s*\\(ui-net\\)`));
  assert.match(await row.innerText(), /mem 64\.0MiB/);
  assert.match(await row.innerText(), /Up /);
  assert.deepEqual(await axe(), []);
  await shot('containers');
});

test("a container's health shows in its status in ps's words, and a change of verdict without a reload", async () => {
  b.ok(['run', '-d', '--name', 'ui-checked', '--network', 'none', '--health-cmd', 'test -e /tmp/ok', '--health-interval', '1s', '--health-retries', '1',
    'busybox', 'sleep', '1000']);
  try {
    const row = page.locator('tr[data-name="ui-checked"]');
    await row.filter({ hasText: '(unhealthy)' }).waitFor({ timeout: 20_000 });
    b.ok(['exec', 'ui-checked', 'touch', '/tmp/ok']);
    // Well inside the page's 30 s backstop: the health_status event is what brings it.
    await row.filter({ hasText: '(healthy)' }).waitFor({ timeout: 10_000 });
    assert.match(b.ok(['ps', '--filter', 'name=ui-checked']), /\(healthy\)/);
    const events = b.ok(['events', '--since', '60s', '--until', '0s', '--filter', 'container=ui-checked', '--format', '{{.Action}}']);
    assert.match(events, /^health_status: unhealthy$/m);
    assert.match(events, /^health_status: healthy$/m);
    assert.deepEqual(await axe(), []);
  } finally {
    b.ok(['rm', '-f', 'ui-checked']);
  }
});

test('a changing request from another Origin, or without the CSRF token, is refused', async () => {
  const cookie = (await page.context().cookies(ui.origin)).map((c) => `${c.name}=${c.value}`).join('; ');
  const csrf = (await (await fetch(`${ui.origin}/ui/api/session`, { headers: { cookie } })).json() as { csrf: string }).csrf;
  const post = (headers: Record<string, string>) => fetch(`${ui.origin}/ui/api/containers/ui-idle/kill`, { method: 'POST', headers: { cookie, ...headers } });
  assert.equal((await post({ origin: 'http://attacker.example', 'x-berth-csrf': csrf })).status, 403);
  assert.equal((await post({ origin: ui.origin })).status, 403);
  assert.equal((await post({ origin: ui.origin, 'x-berth-csrf': 'x'.repeat(64) })).status, 403);
  // A name that is not ours in Host (DNS rebinding) is refused before anything else (fetch
  // would not send another Host).
  const port = Number(new URL(ui.origin).port);
  const status = await new Promise<number | undefined>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/ui/api/containers', headers: { cookie, host: `attacker.example:${port}` } }, (r) => {
      r.resume();
      resolve(r.statusCode);
    }).on('error', reject).end();
  });
  assert.equal(status, 421);
  assert.equal(b.inspect('ui-idle').State.Status, 'running', 'none of them reached the engine');
});

test('Stop, pressed with the keyboard, stops the container, and berth ps agrees; Start and Kill too', async () => {
  const stop = page.getByRole('button', { name: 'Stop ui-idle' });
  await stop.focus();
  await page.keyboard.press('Enter');
  await page.locator('tr[data-name="ui-idle"][data-status="exited"]').waitFor({ timeout: 30_000 });
  const ps = jsonLines<{ Names: string; State: string; Status: string }>(b.ok(['ps', '-a', '--format', 'json']));
  const idle = ps.find((c) => c.Names.includes('ui-idle'));
  assert.equal(idle?.State, 'exited');
  assert.match(idle.Status, /^Exited/);
  // And back: Start, then Stop again, leaving it stopped for the network map.
  await page.getByRole('button', { name: 'Start ui-idle', exact: true }).click();
  await page.locator('tr[data-name="ui-idle"][data-status="running"]').waitFor({ timeout: 30_000 });
  assert.equal(b.inspect('ui-idle').State.Status, 'running');
  await page.getByRole('button', { name: 'Kill ui-idle' }).click();
  await page.locator('tr[data-name="ui-idle"][data-status="exited"]').waitFor({ timeout: 30_000 });
  assert.equal(b.inspect('ui-idle').State.Status, 'exited');
});

test("a refused action shows the engine's own error in place, and changes nothing", async () => {
  await page.getByRole('button', { name: 'Remove ui-web' }).click();
  const alert = page.locator('tr[data-name="ui-web"] [role="alert"]');
  await alert.waitFor();
  assert.match(await alert.innerText(), /running/i);
  assert.equal(b.inspect('ui-web').State.Status, 'running');
});

test('one container: characteristics, its log line and its usage against the limit', async () => {
  await page.getByRole('link', { name: 'ui-web' }).first().click();
  await page.locator('h1', { hasText: 'ui-web' }).waitFor();
  await page.locator('pre.logs', { hasText: 'ui-log-line-one' }).waitFor();
  await page.locator('.usage', { hasText: /of 64\.0MiB/ }).waitFor({ timeout: 20_000 });
  assert.match(await page.locator('.usage').innerText(), /CPU [\d.]+% · memory .* of 64\.0MiB/);
  assert.match(await page.locator('dl.facts').innerText(), /ui-data → \/data/);
  await page.locator('.u-wrap').first().waitFor();
  for (const f of ['CPU', 'Memory against its limit', 'Network', 'Block I/O']) await page.locator('figure', { hasText: f }).locator('.u-wrap').waitFor();
  // 4 MiB written past the page cache to the volume's disk: the page reads them from the cgroup.
  b.ok(['exec', 'ui-web', 'dd', 'if=/dev/zero', 'of=/data/blk', 'bs=1M', 'count=4', 'conv=fsync']);
  await page.locator('.usage', { hasText: /block I\/O \S+ read, ([4-9]|\d{2,})\.\d+MiB written/ }).waitFor({ timeout: 20_000 });
  b.ok(['exec', 'ui-web', 'rm', '/data/blk']);
  assert.deepEqual(await axe(), []);
  // Only for the picture: a few samples on the charts.
  if (SHOTS) await new Promise((r) => setTimeout(r, 8000));
  await shot('container');
});

test('the network map draws each switch with the containers and their addresses', async () => {
  await page.getByRole('link', { name: 'Networks' }).click();
  const net = page.locator('article.network', { has: page.locator('h2', { hasText: /^ui-net$/ }) });
  await net.locator('td.ip', { hasText: webIp }).waitFor();
  const svg = await net.locator('svg').innerHTML();
  assert.ok(svg.includes(webIp) && svg.includes('ui-web') && svg.includes('ui-idle'), 'both containers drawn with their addresses');
  const inspect = JSON.parse(b.ok(['network', 'inspect', 'ui-net'])) as { IPAM: { Config: { Subnet: string; Gateway: string }[] } }[];
  const { Subnet, Gateway } = inspect[0]!.IPAM.Config[0]!;
  assert.ok(svg.includes(Subnet) && svg.includes(Gateway), 'subnet and gateway on the switch');
  assert.deepEqual(await axe(), []);
  await shot('networks');
});

test('Networks: create one with the form and remove it with its button, and berth network ls agrees', async () => {
  await page.getByRole('link', { name: 'Networks' }).click();
  const form = page.getByRole('form', { name: 'Create a network' });
  await form.getByLabel('Name').fill('ui-made');
  await form.getByLabel('Internal').check();
  await form.getByRole('button', { name: 'Create network' }).click();
  const made = page.locator('article.network', { has: page.locator('h2', { hasText: /^ui-made \(internal\)$/ }) });
  await made.waitFor();
  const [net] = JSON.parse(b.ok(['network', 'inspect', 'ui-made'])) as { Internal: boolean; IPAM: { Config: { Subnet: string }[] } }[];
  assert.equal(net!.Internal, true);
  assert.match(await made.locator('caption').innerText(), new RegExp(`subnet ${net!.IPAM.Config[0]!.Subnet.replace(/\./g, '\\.')}`));
  // The same name again: the engine's refusal beside the form, as the CLI would print it.
  await form.getByLabel('Name').fill('ui-made');
  await form.getByRole('button', { name: 'Create network' }).click();
  assert.match(await form.getByRole('alert').innerText(), /ui-made/);
  // A network in use is refused in place, and stays.
  await page.getByRole('button', { name: 'Remove network ui-net' }).click();
  await page.locator('article.network', { has: page.locator('h2', { hasText: /^ui-net$/ }) }).getByRole('alert').waitFor();
  assert.match(b.ok(['network', 'ls']), /ui-net/);
  await page.getByRole('button', { name: 'Remove network ui-made' }).click();
  await made.waitFor({ state: 'detached' });
  assert.doesNotMatch(b.ok(['network', 'ls']), /ui-made/);
  assert.deepEqual(await axe(), []);
});

test('images, volumes and stacks', async () => {
  await page.getByRole('link', { name: 'Images' }).click();
  await page.locator('tbody th', { hasText: 'busybox' }).waitFor();
  assert.deepEqual(await axe(), []);
  await shot('images');
  await page.getByRole('button', { name: 'Remove image localhost/ui-spare:1' }).click();
  await page.locator('tbody th', { hasText: 'ui-spare' }).waitFor({ state: 'detached' });
  assert.doesNotMatch(b.ok(['images']), /ui-spare/);
  await page.getByRole('link', { name: 'Volumes' }).click();
  await page.locator('tr', { hasText: 'ui-data' }).filter({ hasText: 'ui-web' }).waitFor();
  assert.deepEqual(await axe(), []);
  await shot('volumes');
  await page.getByRole('link', { name: 'Stacks' }).click();
  await page.locator('tr', { hasText: '2/2 running' }).filter({ hasText: 'app' }).waitFor();
  assert.deepEqual(await axe(), []);
  await shot('stacks');
});

test('Images: a pull from a registry shows each layer to "Pull complete", then the image is listed, and berth images agrees', async () => {
  await page.getByRole('link', { name: 'Images' }).click();
  const manifest = JSON.parse(
    spawnSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/lib/web:1`], { encoding: 'utf8' }).stdout,
  ) as {
    layers: { digest: string }[];
  };
  const ref = `${reg.host}/lib/web:1`;
  await page.getByLabel('Image', { exact: true }).fill(ref);
  await page.getByRole('button', { name: 'Pull', exact: true }).press('Enter');
  await page.getByRole('status').filter({ hasText: `Pulled ${ref}` }).waitFor({ timeout: 60_000 });
  const rows = page.locator('table.pull tbody tr');
  const states = await rows.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-layer')} ${tr.querySelector('.state')!.textContent}`));
  // busybox's layer is nginx's first here too, so it may already exist; every other one is downloaded.
  assert.deepEqual(states.map((x) => x.split(' ')[0]).sort(), manifest.layers.map((l) => l.digest.slice(7, 19)).sort());
  assert.ok(states.every((x) => / (Pull complete|Already exists)$/.test(x)), states.join('\n'));
  assert.ok(states.filter((x) => x.endsWith('Pull complete')).length >= 2, states.join('\n'));
  await page.locator('tbody th', { hasText: `${reg.host}/lib/web` }).waitFor();
  assert.match(b.ok(['images']), new RegExp(`${reg.host.replace(/\./g, '\\.')}/lib/web +1 `));
  assert.deepEqual(await axe(), []);
  await shot('images-pull');
  await page.getByLabel('Image', { exact: true }).fill(`${reg.host}/lib/nothing:1`);
  await page.getByRole('button', { name: 'Pull', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: /nothing/ }).waitFor({ timeout: 30_000 });
  assert.doesNotMatch(b.ok(['images']), /lib\/nothing/);
});

test("Images: an image's history opens in place; Prune removes the dangling ones, and berth images agrees", async () => {
  await page.getByRole('link', { name: 'Images' }).click();
  const dangling = b.ok(['commit', 'ui-idle']).trim();
  // Inside the 30 s backstop: the commit's event (Docker's, the container's) brings it.
  await page.locator('tbody th', { hasText: '<none>' }).waitFor({ timeout: 10_000 });
  assert.match(b.ok(['events', '--since', '60s', '--until', '0s', '--filter', 'event=commit', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}']),
    /^container commit ui-idle$/m);
  await page.getByRole('button', { name: 'History of localhost/busybox:latest' }).click();
  const history = page.locator('table.history', { has: page.locator('caption', { hasText: 'History of localhost/busybox:latest' }) });
  await history.waitFor();
  const cli = jsonLines(b.ok(['history', '--no-trunc', '--format', 'json', 'busybox'])).map((h) => h.CreatedBy);
  assert.deepEqual((await history.locator('tbody td code').allInnerTexts()).map((t) => t.trim()), cli);
  assert.deepEqual(await axe(), []);
  await page.getByRole('button', { name: 'Prune dangling images' }).click();
  await page.getByRole('status').filter({ hasText: /^Deleted 1 image; reclaimed / }).waitFor();
  await page.locator('tbody th', { hasText: '<none>' }).waitFor({ state: 'detached' });
  assert.doesNotMatch(b.ok(['images', '-a']), /<none>/);
  assert.doesNotMatch(b.ok(['images', '-aq']), new RegExp(dangling.replace(/^sha256:/, '').slice(0, 12)));
});

const demo =
  () => (jsonLines<{ Names: string; State: string }>(b.ok(['ps', '-a', '--format', 'json', '--filter', 'label=com.docker.compose.project=ui-demo'])));

// Up and Scale run compose's up in the serve process while the page, woken by the events of
// the containers it makes, lists them: that list once undid the starts of this same process
// (engine/lock.ts, lockContainerIfFree).
test('Stacks: Up is compose up -d, and brings back what was stopped behind its back', async () => {
  await page.getByRole('link', { name: 'Stacks' }).click();
  const app = page.locator('article.stack tr[data-service="app"]');
  await app.filter({ hasText: '2/2 running' }).waitFor();
  b.ok(['stop', '-t', '0', 'ui-demo-app-2']);
  await app.filter({ hasText: '1/2 running' }).waitFor();
  await page.getByRole('button', { name: 'Up ui-demo' }).click();
  await app.filter({ hasText: '2/2 running' }).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('article.stack [role="alert"]').count(), 0);
  assert.equal(b.inspect('ui-demo-app-2').State.Status, 'running');
  assert.deepEqual(demo().map((c) => c.State), ['running', 'running']);
  assert.equal(b.ok(['exec', 'ui-demo-app-2', 'echo', 'up-again']).trim(), 'up-again');
  assert.deepEqual(await axe(), []);
});

test('Stacks: Scale makes the replicas the page asks for', async () => {
  const app = page.locator('article.stack tr[data-service="app"]');
  await page.getByLabel('Replicas of app').fill('3');
  await page.getByRole('button', { name: 'Scale' }).click();
  await app.filter({ hasText: '3/3 running' }).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('article.stack [role="alert"]').count(), 0);
  assert.deepEqual(demo().map((c) => c.State), ['running', 'running', 'running']);
  assert.equal(b.ok(['exec', 'ui-demo-app-3', 'echo', 'scaled']).trim(), 'scaled');
  await page.getByLabel('Replicas of app').fill('1');
  await page.getByRole('button', { name: 'Scale' }).click();
  await app.filter({ hasText: '1/1 running' }).waitFor({ timeout: 60_000 });
  assert.deepEqual(demo().map((c) => c.State), ['running']);
});

test('Stacks: a web farm is drawn as proxy → servers, each server with its address on the network they share', async () => {
  const port = await freePort();
  const file = join(b.root, 'farm.yaml');
  writeFileSync(
    file,
    `services:
  proxy:
    image: busybox
    command: ["sleep", "1000"]
    stop_grace_period: 1s
    networks: [private, public]
    ports: ["127.0.0.1:${port}:80"]
  web:
    image: busybox
    command: ["sleep", "1000"]
    stop_grace_period: 1s
    networks: [private]
    deploy:
      replicas: 2
networks:
  private:
    internal: true
  public: {}
`,
  );
  b.ok(['compose', '-f', file, '-p', 'ui-farm', 'up', '-d']);
  try {
    await page.getByRole('link', { name: 'Stacks' }).click();
    const farm = page.locator('article.stack', { has: page.locator('h2', { hasText: /^ui-farm$/ }) }).locator('figure.farm');
    await farm.locator('figcaption', { hasText: `proxy publishes 127.0.0.1:${port}->80/tcp and reaches web on ui-farm_private.` }).waitFor();
    const svg = farm.locator('svg');
    const ips = ['ui-farm-web-1', 'ui-farm-web-2'].map((n) => b.inspect(n).NetworkSettings.Networks['ui-farm_private']!.IPAddress);
    const label = await svg.getAttribute('aria-label');
    assert.equal(label, `proxy publishes 127.0.0.1:${port}->80/tcp and reaches ui-farm-web-1 ${ips[0]}, ui-farm-web-2 ${ips[1]}`);
    const text = await svg.textContent();
    for (const t of [`127.0.0.1:${port}->80/tcp`, 'ui-farm-proxy-1 (running)', 'ui-farm-web-1', ips[0]!, 'ui-farm-web-2', ips[1]!])
      assert.ok(text!.includes(t), t);
    // One arrow from the host's port to the proxy, and one from the proxy to each server.
    assert.equal(await svg.locator('line.link').count(), 3);
    assert.deepEqual(await axe(), []);
    await shot('stacks-farm');
  } finally {
    b.ok(['compose', '-f', file, '-p', 'ui-farm', 'down', '-t', '0']);
  }
  await page.locator('h2', { hasText: /^ui-farm$/ }).waitFor({ state: 'detached' });
});

test('Stacks: Down removes the project, and berth ps agrees', async () => {
  await page.getByRole('button', { name: 'Down ui-demo' }).click();
  await page.locator('h2', { hasText: /^ui-demo$/ }).waitFor({ state: 'detached', timeout: 60_000 });
  assert.deepEqual(demo(), []);
});

test('the pages follow the events journal: what the CLI does shows without a reload', async () => {
  const reads: string[] = [];
  const streams: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname === '/ui/api/containers') reads.push(u.pathname);
    if (u.pathname === '/ui/api/events') streams.push(u.pathname);
  });
  await page.getByRole('link', { name: 'Containers' }).click();
  await page.locator('tr[data-name="ui-web"]').waitFor();
  const before = reads.length;
  b.ok(['run', '-d', '--name', 'ui-late', 'busybox', 'sleep', '1000']);
  await page.locator('tr[data-name="ui-late"][data-status="running"]').waitFor({ timeout: 20_000 });
  b.ok(['stop', '-t', '0', 'ui-late']);
  await page.locator('tr[data-name="ui-late"][data-status="exited"]').waitFor({ timeout: 20_000 });
  b.ok(['rm', 'ui-late']);
  await page.locator('tr[data-name="ui-late"]').waitFor({ state: 'detached', timeout: 20_000 });
  // The list was read again for the changes (a burst of events is one read), not on a timer of
  // its own: the backstop is 30 s, and the reads are few.
  assert.ok(reads.length > before, 'the list was read again');
  assert.ok(reads.length - before <= 8, `${reads.length - before} reads for three changes`);
  // The journal's stream is the one the page opened at its load (the shared EventSource).
  assert.equal(streams.length, 0, 'no new event stream per page');
  await page.getByRole('link', { name: 'Events' }).click();
  await page.locator('tr[data-type="container"][data-action="die"]', { hasText: 'ui-late' }).waitFor();
  await page.locator('tr[data-type="container"][data-action="destroy"]', { hasText: 'ui-late' }).waitFor();
  assert.deepEqual(await axe(), []);
  await shot('events');
});

test('the terminal: a shell in the container over a WebSocket, typed into and resized', async () => {
  await page.getByRole('link', { name: 'Containers' }).click();
  await page.getByRole('link', { name: 'ui-web' }).first().click();
  await page.getByRole('button', { name: 'Open a shell' }).click();
  await page.locator('section', { hasText: 'connected: /bin/sh' }).waitFor();
  const term = page.locator('.term-box');
  // xterm.js reads the keyboard from a textarea of its own.
  await term.locator('textarea').focus();
  // Typed before the prompt, keys would go to busybox's question for the cursor position.
  await page.locator('.term-box', { hasText: '/ #' }).waitFor();
  await page.keyboard.type('echo hi-$((40+2))\n');
  await page.locator('.term-box', { hasText: 'hi-42' }).waitFor();
  // The command line itself shows hi-$((40+2)); only the shell's answer reads hi-42.
  assert.match(await page.locator('.term-box').innerText(), /^hi-42\s*$/m);
  // Resize: a smaller window, a smaller terminal, and the pty inside agrees.
  const was = await term.getAttribute('data-size');
  await page.setViewportSize({ width: 800, height: 700 });
  await page.waitForFunction((w) => document.querySelector('.term-box')?.getAttribute('data-size') !== w, was);
  const size = (await term.getAttribute('data-size'))!;
  await page.keyboard.type('stty size\n');
  await page.waitForFunction((s) => new RegExp(`^${s}\\s*$`, 'm').test((document.querySelector('.term-box') as HTMLElement).innerText), size);
  assert.deepEqual(await axe(), []);
  await shot('terminal');
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('the terminal and the event stream are behind the session and the Origin check', async () => {
  assert.equal((await fetch(`${ui.origin}/ui/api/events`)).status, 401);
  const cookie = (await page.context().cookies(ui.origin)).map((c) => `${c.name}=${c.value}`).join('; ');
  const port = Number(new URL(ui.origin).port);
  const upgrade = (headers: Record<string, string>) =>
    new Promise<number | undefined>((resolve, reject) => {
      const r = request({
        host: '127.0.0.1',
        port,
        path: '/ui/api/containers/ui-web/exec',
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
      });
      r.on('response', (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      r.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve(res.statusCode);
      });
      r.on('error', reject);
      r.end();
    });
  assert.equal(await upgrade({ origin: ui.origin }), 401, 'no cookie');
  assert.equal(await upgrade({ cookie, origin: 'http://attacker.example' }), 403, 'foreign Origin');
  assert.equal(await upgrade({ cookie }), 403, 'no Origin');
  assert.equal(await upgrade({ cookie, origin: ui.origin }), 101, 'ours');
});

test('nothing broke the page: no script errors, no Content-Security-Policy violations', () => {
  assert.deepEqual(problems, []);
});
