// The Stacks page: compose projects found by their containers' labels, each service with its
// replicas, and compose's up, down and scale (src/ui/stacks.ts runs the CLI's own compose code).
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { change } from './api.js';
import { changes, useLive } from './live.js';

import type { StackView as Stack } from '../views.js';

function useAction(onDone: () => void) {
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const run = async (what: string, url: string) => {
    setBusy(what);
    setError(undefined);
    try {
      await change('POST', url);
    } catch (e) {
      setError((e as Error).message);
    }
    setBusy(undefined);
    onDone();
  };
  return { busy, error, run };
}

function Scale({ project, svc, onDone }: { project: string; svc: Stack['services'][number]; onDone: () => void }) {
  const [n, setN] = useState(String(svc.replicas));
  // The field follows the count as containers come and go (a compose up seen half-way included).
  useEffect(() => setN(String(svc.replicas)), [svc.replicas]);
  const a = useAction(onDone);
  const url = `/ui/api/stacks/${encodeURIComponent(project)}/scale?service=${encodeURIComponent(svc.name)}&replicas=${encodeURIComponent(n)}`;
  return html`<form class="inline" aria-label=${`Scale ${svc.name}`} onSubmit=${(e: Event) => {
    e.preventDefault();
    void a.run('scale', url);
  }}>
    <label>Replicas of ${svc.name} <input type="number" min="0" max="1000" value=${n} size="4"
      onInput=${(e: Event) => setN((e.target as HTMLInputElement).value)} /></label>
    <button type="submit" disabled=${a.busy !== undefined}>${a.busy ? 'Scaling…' : 'Scale'}</button>
    ${a.error ? html`<p class="error" role="alert">${a.error}</p>` : null}
  </form>`;
}

const COL = { host: 10, front: 250, back: 520 };
const W = { host: 205, front: 200, back: 230 };
const ROW = 46;

/**
 * proxy → servers: the published ports, the front service with its containers, and an arrow to
 * each container of the services it reaches, with its address on the network they share (the
 * rule is farm.ts's). One image to a screen reader; the sentence under it says the same.
 */
function FarmMap({ s, f }: { s: Stack; f: Stack['farm'][number] }) {
  const byName = new Map(s.services.map((v) => [v.name, v]));
  const front = byName.get(f.front)!;
  const backs = f.backends.flatMap((b) =>
    (byName.get(b.service)?.containers ?? []).map((c, i) => ({
      service: b.service,
      first: i === 0,
      c,
      ip: c.addresses.find((a) => b.networks.includes(a.network))?.ip ?? null,
    }))
  );
  // A service's name sits above its first container.
  let y = 30;
  const placed = backs.map((b) => {
    if (b.first) y += 22;
    const at = { ...b, y };
    y += ROW;
    return at;
  });
  const frontH = 40 + front.containers.length * 22;
  const hostH = 30 + f.ports.length * 18;
  const height = Math.max(y, 30 + frontH, 30 + hostH) + 10;
  const width = COL.back + W.back + 10;
  const mid = (top: number, h: number) => top + h / 2;
  const frontMid = mid(30, frontH);
  const arrow = `farm-arrow-${s.project}-${f.front}`;
  return html`<svg class="map farm" viewBox=${`0 0 ${width} ${height}`} width=${width} height=${height} role="img"
    aria-label=${`${f.front} publishes ${f.ports.join(', ')} and reaches ${backs.map((b) => `${b.c.name} ${b.ip ?? ''}`).join(', ') || 'no server'}`}>
    <defs><marker id=${arrow} viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
      <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" /></marker></defs>
    <text x=${COL.host} y="18" class="col-label">host</text>
    <text x=${COL.front} y="18" class="col-label">proxy (publishes a port)</text>
    <text x=${COL.back} y="18" class="col-label">servers (reached on a shared network)</text>
    <rect x=${COL.host} y="30" width=${W.host} height=${hostH} rx="6" class="switch" />
    ${f.ports.map((p, i) => html`<text x=${COL.host + 10} y=${52 + i * 18} class="switch-label port">${p}</text>`)}
    <line x1=${COL.host + W.host} y1=${mid(30, hostH)} x2=${COL.front - 2} y2=${frontMid} class="link" marker-end=${`url(#${arrow})`} />
    <rect x=${COL.front} y="30" width=${W.front} height=${frontH} rx="6" class=${`node ${front.running > 0 ? 'running' : 'exited'}`} />
    <text x=${COL.front + 10} y="50" class="node-name">${f.front}</text>
    ${front.containers.map((c, i) => html`<text x=${COL.front + 10} y=${72 + i * 22} class="node-ip">${c.name} (${c.status})</text>`)}
    ${
    placed.map((b) =>
      html`<g key=${b.c.id}>
      ${b.first ? html`<text x=${COL.back} y=${b.y - 6} class="node-name">${b.service}</text>` : null}
      <line x1=${COL.front + W.front} y1=${frontMid} x2=${COL.back - 2} y2=${b.y + 19} class="link" marker-end=${`url(#${arrow})`} />
      <rect x=${COL.back} y=${b.y} width=${W.back} height="38" rx="6" class=${`node ${b.c.status}`} />
      <text x=${COL.back + 10} y=${b.y + 16} class="node-name">${b.c.name}</text>
      <text x=${COL.back + 10} y=${b.y + 32} class="node-ip">${b.ip ?? 'no address'}</text>
    </g>`
    )
  }
  </svg>`;
}

function farmText(f: Stack['farm'][number]): string {
  const reach = f.backends.map((b) => `${b.service} on ${b.networks.join(', ')}`).join('; ');
  return `${f.front} publishes ${f.ports.join(', ')} and reaches ${reach || 'no other service of the project'}.`;
}

function StackCard({ s, onDone }: { s: Stack; onDone: () => void }) {
  const a = useAction(onDone);
  const base = `/ui/api/stacks/${encodeURIComponent(s.project)}`;
  return html`<article class="stack" key=${s.project} aria-labelledby=${`st-${s.project}`}>
    <h2 id=${`st-${s.project}`}>${s.project}</h2>
    <div class="actions">
      <button type="button" disabled=${a.busy !== undefined} aria-label=${`Up ${s.project}`} onClick=${() => void a.run('up', `${base}/up`)}>
        ${a.busy === 'up' ? 'Up…' : 'Up'}</button>
      <button type="button" class="danger" disabled=${a.busy !== undefined} aria-label=${`Down ${s.project}`}
        onClick=${() => void a.run('down', `${base}/down`)}>${a.busy === 'down' ? 'Down…' : 'Down'}</button>
      ${a.error ? html`<p class="error" role="alert">${a.error}</p>` : null}
    </div>
    ${
    s.farm.map((f) =>
      html`<figure class="farm" key=${f.front}><div class="scroll"><${FarmMap} s=${s} f=${f} /></div>
      <figcaption>${farmText(f)}</figcaption></figure>`
    )
  }
    <table class="grid">
      <thead><tr><th scope="col">Service</th><th scope="col">Replicas</th><th scope="col">Containers</th><th scope="col">Scale</th></tr></thead>
      <tbody>${
    s.services.map((v) =>
      html`<tr key=${v.name} data-service=${v.name}><th scope="row">${v.name}</th><td>${v.running}/${v.replicas} running</td>
        <td>${v.containers.map((c) => html`<a class="chip" href=${`#/container/${c.id}`}>${c.name} (${c.status})</a> `)}</td>
        <td><${Scale} project=${s.project} svc=${v} onDone=${onDone} /></td></tr>`
    )
  }</tbody>
    </table>
  </article>`;
}

export function StacksPage() {
  const live = useLive<Stack[]>('/ui/api/stacks', { when: changes('container') });
  return html`<section aria-labelledby="h-stacks">
    <h1 id="h-stacks">Stacks</h1>
    ${live.error ? html`<p class="error" role="alert">${live.error}</p>` : null}
    ${live.data?.length === 0 ? html`<p>No compose projects. <code>berth compose up -d</code> makes one.</p>` : null}
    ${(live.data ?? []).map((s) => html`<${StackCard} key=${s.project} s=${s} onDone=${live.refresh} />`)}
  </section>`;
}
