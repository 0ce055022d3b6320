// One container: its characteristics, its log as it comes, and CPU, memory against its limit,
// network and block I/O.
import { html } from 'htm/preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { changes, useLive } from './live.js';
import { bytes, limitsText, statusText } from './format.js';
import { Actions, type ContainerView } from './containers.js';

interface Detail {
  container: ContainerView;
  inspect: { Path?: string; Args?: string[]; Config?: { Cmd?: string[]; Entrypoint?: string[]; Env?: string[]; WorkingDir?: string; User?: string };
    HostConfig?: { RestartPolicy?: { Name?: string } } };
}

interface Stats {
  time: number;
  cpuPercent: number;
  memUsage: number;
  memLimit: number;
  pids: number;
  netRx: number;
  netTx: number;
  blkRead: number;
  blkWrite: number;
}

const MAX_LINES = 5000;
const POINTS = 90;

function Logs({ id }: { id: string }) {
  const [lines, setLines] = useState<{ n: number; stream: string; text: string }[]>([]);
  const [state, setState] = useState('following');
  const [search, setSearch] = useState('');
  useEffect(() => {
    let n = 0;
    const es = new EventSource(`/ui/api/containers/${encodeURIComponent(id)}/logs?tail=200`);
    const add = (stream: string) => (ev: MessageEvent<string>) =>
      setLines((l) => [...l.slice(-MAX_LINES + 1), { n: n++, stream, text: JSON.parse(ev.data) as string }]);
    es.addEventListener('stdout', add('stdout'));
    es.addEventListener('stderr', add('stderr'));
    // The stream ends when the container stops; EventSource would reconnect and replay the tail.
    es.addEventListener('end', () => {
      es.close();
      setState('the container has stopped');
    });
    // Left to itself EventSource reconnects and replays the tail, doubling the lines shown.
    es.onerror = () => {
      es.close();
      setState('the log stream was cut: reload the page to follow again');
    };
    return () => es.close();
  }, [id]);
  const shown = search === '' ? lines : lines.filter((l) => l.text.toLowerCase().includes(search.toLowerCase()));
  const download = () => {
    const url = URL.createObjectURL(new Blob([lines.map((l) => `${l.text}\n`).join('')], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${id.slice(0, 12)}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return html`<section aria-labelledby="h-logs">
    <h2 id="h-logs">Logs</h2>
    <div class="toolbar">
      <label>Search <input type="search" value=${search} onInput=${(e: Event) => setSearch((e.target as HTMLInputElement).value)} /></label>
      <button type="button" onClick=${download}>Download</button>
      <span class="muted">${state}</span>
    </div>
    <pre class="logs" role="log" aria-label="Container output" tabindex="0">${
    shown.map((l) => html`<span key=${l.n} class=${l.stream}>${l.text}\n</span>`)
  }</pre>
  </section>`;
}

type Series = { t: number[]; cpu: number[]; mem: number[]; limit: number[]; rx: number[]; tx: number[]; rd: number[]; wr: number[] };

function Chart({ id }: { id: string }) {
  const stats = useLive<Stats>(`/ui/api/containers/${encodeURIComponent(id)}/stats`, { pollMs: 2000 });
  const cpuEl = useRef<HTMLDivElement>(null);
  const memEl = useRef<HTMLDivElement>(null);
  const netEl = useRef<HTMLDivElement>(null);
  const blkEl = useRef<HTMLDivElement>(null);
  const series = useMemo<Series>(() => ({ t: [], cpu: [], mem: [], limit: [], rx: [], tx: [], rd: [], wr: [] }), [id]);
  const prev = useRef<Stats | undefined>(undefined);
  const plots = useRef<{ cpu?: uPlot; mem?: uPlot; net?: uPlot; blk?: uPlot }>({});
  useEffect(() => {
    // The figures are sized by what they hold: the plot's width is fixed, two side by side.
    const width = 520;
    // At least the last two minutes across, so that the first samples do not span years.
    const xScale: uPlot.Scale = { time: true, range: (_u, min, max) => [Math.min(min, max - 120), max] };
    const axes = (unit: string): uPlot.Axis[] => [{}, { values: (_u, v) => v.map((x) => `${x}${unit}`), size: 60 }];
    const y = (floor: number): uPlot.Scale => ({ range: (_u, _min, max) => [0, Math.max(floor, max)] });
    const two = (el: HTMLDivElement, a: string, b: string) =>
      new uPlot({ width, height: 160, series: [{}, { label: a, stroke: '#2563eb', width: 2 }, { label: b, stroke: '#d97706', width: 2 }], axes: axes(''),
        scales: { x: xScale, y: y(1) } }, [[], [], []], el);
    plots.current.cpu = new uPlot({ width, height: 160, series: [{}, { label: 'CPU %', stroke: '#2563eb', width: 2 }], axes: axes('%'),
      scales: { x: xScale, y: y(10) } }, [[], []], cpuEl.current!);
    plots.current.mem = new uPlot({ width, height: 160, series: [{}, { label: 'Memory MiB', stroke: '#059669', width: 2 }, {
      label: 'Limit MiB',
      stroke: '#dc2626',
      dash: [6, 4],
    }], axes: axes(''), scales: { x: xScale, y: y(1) } }, [[], [], []], memEl.current!);
    plots.current.net = two(netEl.current!, 'In KiB/s', 'Out KiB/s');
    plots.current.blk = two(blkEl.current!, 'Read KiB/s', 'Written KiB/s');
    return () => {
      for (const p of Object.values(plots.current)) p.destroy();
      plots.current = {};
    };
  }, [id]);
  const s = stats.data;
  useEffect(() => {
    if (!s || s.time === undefined) return;
    // The counters are totals since the start: the charts draw their rate between two readings.
    const p = prev.current;
    prev.current = s;
    const dt = p ? (s.time - p.time) / 1000 : 0;
    const rate = (now: number, before: number | undefined) => (dt > 0 && before !== undefined ? Math.max(0, now - before) / 1024 / dt : 0);
    series.t.push(s.time / 1000);
    series.cpu.push(s.cpuPercent);
    series.mem.push(s.memUsage / 2 ** 20);
    series.limit.push(s.memLimit / 2 ** 20);
    series.rx.push(rate(s.netRx, p?.netRx));
    series.tx.push(rate(s.netTx, p?.netTx));
    series.rd.push(rate(s.blkRead, p?.blkRead));
    series.wr.push(rate(s.blkWrite, p?.blkWrite));
    for (const a of Object.values(series)) if (a.length > POINTS) a.shift();
    plots.current.cpu?.setData([series.t, series.cpu]);
    plots.current.mem?.setData([series.t, series.mem, series.limit]);
    plots.current.net?.setData([series.t, series.rx, series.tx]);
    plots.current.blk?.setData([series.t, series.rd, series.wr]);
  }, [s]);
  return html`<section aria-labelledby="h-usage">
    <h2 id="h-usage">Usage</h2>
    <p aria-live="polite" class="usage">${
    s && s.time !== undefined
      ? `CPU ${s.cpuPercent.toFixed(1)}% · memory ${bytes(s.memUsage)} of ${bytes(s.memLimit)} · ${s.pids} processes · net ${bytes(s.netRx)} in, ${
        bytes(s.netTx)
      } out · block I/O ${bytes(s.blkRead)} read, ${bytes(s.blkWrite)} written`
      : stats.error ?? 'reading…'
  }</p>
    <div class="charts"><figure><figcaption>CPU</figcaption><div ref=${cpuEl}></div></figure>
    <figure><figcaption>Memory against its limit</figcaption><div ref=${memEl}></div></figure>
    <figure><figcaption>Network</figcaption><div ref=${netEl}></div></figure>
    <figure><figcaption>Block I/O</figcaption><div ref=${blkEl}></div></figure></div>
  </section>`;
}

/** A shell is a process in the container: it starts when asked for, not with every visit to the page. */
function Shell({ id }: { id: string }) {
  const [panel, setPanel] = useState<((p: { id: string }) => unknown) | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  // xterm.js is a chunk of its own, fetched the first time a shell is asked for.
  const open = () => import('./terminal.js').then((m) => setPanel(() => m.TerminalPanel), (e: Error) => setError(e.message));
  if (panel) return html`<${panel} id=${id} />`;
  return html`<section aria-labelledby="h-term"><h2 id="h-term">Terminal</h2>
    <button type="button" onClick=${() => void open()}>Open a shell</button>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}</section>`;
}

export function ContainerPage({ id }: { id: string }) {
  const live = useLive<Detail>(`/ui/api/containers/${encodeURIComponent(id)}`, {
    when: (ev) => (ev.id === id || ev.attributes['container'] === id) && changes('container', 'network')(ev),
  });
  const d = live.data;
  if (live.error && !d) return html`<p class="error" role="alert">${live.error}</p>`;
  if (!d) return html`<p>Loading…</p>`;
  const c = d.container;
  const cfg = d.inspect.Config ?? {};
  const cmd = [...(cfg.Entrypoint ?? []), ...(cfg.Cmd ?? [])].join(' ');
  const row = (k: string, v: unknown) => html`<dt>${k}</dt><dd>${v}</dd>`;
  return html`<article aria-labelledby="h-ctr">
    <h1 id="h-ctr">${c.name}</h1>
    ${live.error ? html`<p class="error" role="alert">${live.error}</p>` : null}
    <${Actions} c=${c} onDone=${live.refresh} />
    <dl class="facts">
      ${row('ID', c.id)} ${row('Image', c.image)} ${row('Command', cmd)} ${row('Status', statusText(c))}
      ${row('Created', c.createdAt)} ${row('Restart policy', d.inspect.HostConfig?.RestartPolicy?.Name ?? 'no')}
      ${row('Restarts', c.restartCount)} ${row('Limits', limitsText(c.limits))}
      ${row('Addresses', c.addresses.map((a) => `${a.ip ?? '—'} (${a.network})`).join(', ') || '—')}
      ${row('Ports', c.ports.join(', ') || '—')}
      ${row('Mounts', c.mounts.map((m) => `${m.source} → ${m.destination}${m.readonly ? ' (ro)' : ''}`).join(', ') || '—')}
    </dl>
    ${c.status === 'running' ? html`<${Chart} id=${c.id} />` : null}
    ${c.status === 'running' ? html`<${Shell} id=${c.id} />` : null}
    <${Logs} id=${c.id} />
  </article>`;
}
