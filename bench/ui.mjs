// Measures the dashboard of `berth serve --ui` (docs/ui.md): the page's weight, its time to first
// paint in headless chromium, and the serve process's CPU with N containers on the Containers
// page for S seconds, against the same time with no page open.
//   node bench/ui.mjs [N=50] [S=60]      (as root, after make build)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Berth } from '../build/test/e2e/helpers.js';
import { Chromium, UiServer } from '../build/test/e2e/ui-helpers.js';

const N = Number(process.argv[2] ?? 50);
const S = Number(process.argv[3] ?? 60);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cpuSeconds = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime + stime, and the same of the children it waited for (programs it ran), in ticks of 1/100 s
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log('## page weight (build/ui)');
let raw = 0;
let gz = 0;
for (const f of readdirSync('build/ui')) {
  const body = readFileSync(`build/ui/${f}`);
  const z = gzipSync(body, { level: 9 }).length;
  raw += statSync(`build/ui/${f}`).size;
  gz += z;
  console.log(`${f}\t${body.length} B\t${z} B gzipped`);
}
console.log(`total\t${raw} B\t${gz} B gzipped`);

const b = new Berth();
const ui = new UiServer(b);
const browser = new Chromium();
try {
  b.importBusybox();
  const t0 = Date.now();
  for (let i = 0; i < N; i++) b.ok(['run', '-d', '--name', `bench-sleep-${i}`, '--network', 'none', 'busybox', 'sleep', '100000']);
  console.log(`\n${N} containers started in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await ui.start();
  const ctx = await browser.launch();
  const page = await ctx.newPage();
  let requests = 0;
  page.on('requestfinished', (r) => {
    if (r.url().includes('/ui/api/')) requests++;
  });
  await page.goto(ui.loginUrl);
  await page.locator(`tr[data-name="bench-sleep-${N - 1}"]`).waitFor({ timeout: 60_000 });

  console.log('\n## time to first paint (5 loads of the Containers page, median)');
  const fp = [];
  const fcp = [];
  const table = [];
  for (let i = 0; i < 5; i++) {
    await page.goto(`${ui.origin}/#/containers`, { waitUntil: 'load' });
    const t = Date.now();
    await page.reload({ waitUntil: 'load' });
    await page.locator(`tr[data-name="bench-sleep-0"]`).waitFor();
    table.push(Date.now() - t);
    const p = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime])));
    fp.push(p['first-paint']);
    fcp.push(p['first-contentful-paint']);
  }
  console.log(
    `first-paint ${median(fp).toFixed(0)} ms, first-contentful-paint ${median(fcp).toFixed(0)} ms, table of ${N} rows shown ${median(table)} ms after reload`,
  );

  console.log(`\n## serve's CPU over ${S} s with ${N} containers`);
  await page.goto('about:blank');
  await sleep(3000);
  let c0 = cpuSeconds(ui.pid);
  await sleep(S * 1000);
  const idle = cpuSeconds(ui.pid) - c0;
  console.log(`no page open:              ${idle.toFixed(2)} CPU s (${((idle / S) * 100).toFixed(1)}% of a core)`);
  await page.goto(`${ui.origin}/#/containers`);
  await page.locator(`tr[data-name="bench-sleep-0"]`).waitFor();
  c0 = cpuSeconds(ui.pid);
  let r0 = requests;
  await sleep(S * 1000);
  const open = cpuSeconds(ui.pid) - c0;
  console.log(`Containers page open:      ${open.toFixed(2)} CPU s (${((open / S) * 100).toFixed(1)}% of a core), ${requests - r0} requests answered`);
  const id = b.ok(['ps', '-q', '--no-trunc', '--filter', 'name=bench-sleep-0']).trim();
  await page.goto(`${ui.origin}/#/container/${id}`);
  await page.locator('.usage', { hasText: /CPU/ }).waitFor();
  c0 = cpuSeconds(ui.pid);
  r0 = requests;
  await sleep(S * 1000);
  const one = cpuSeconds(ui.pid) - c0;
  console.log(`one container's page open: ${one.toFixed(2)} CPU s (${((one / S) * 100).toFixed(1)}% of a core), ${requests - r0} requests answered`);
} finally {
  await browser.close();
  await ui.stop();
  b.destroy();
}
