// The Networks page: each switch (a Linux bridge) drawn with the containers plugged into it and
// their addresses — the seed's "list of virtual switches with their addresses" as a picture. The
// same facts, with the links, are in a table below each drawing (the drawing is one image to a
// screen reader, so it holds no controls).
import { html } from 'htm/preact';
import { changes, useLive } from './live.js';

interface NetworkView {
  name: string;
  id: string;
  bridge: string;
  subnet: string;
  gateway: string;
  internal: boolean;
  members: { id: string; name: string; status: string; ip: string | null; ifname: string }[];
}

const BOX_W = 150;
const GAP = 20;

function SwitchMap({ n }: { n: NetworkView }) {
  const count = Math.max(1, n.members.length);
  const width = Math.max(640, count * (BOX_W + GAP) + GAP);
  const busY = 70;
  return html`<svg class="map" viewBox=${`0 0 ${width} 190`} width=${width} height="190" role="img"
    aria-label=${`Switch ${n.name} (${n.bridge}, ${n.subnet}) with ${n.members.length} containers attached`}>
    <title>${n.name}: ${n.members.map((m) => `${m.name} ${m.ip ?? ''}`).join(', ') || 'nothing attached'}</title>
    <rect x="10" y="10" width=${width - 20} height="36" rx="6" class="switch" />
    <text x="22" y="33" class="switch-label">${n.name} (${n.bridge})</text>
    <text x=${width - 22} y="33" text-anchor="end" class="switch-label">${n.subnet} · gateway ${n.gateway}</text>
    <line x1="30" y1=${busY} x2=${width - 30} y2=${busY} class="bus" />
    <line x1="30" y1="46" x2="30" y2=${busY} class="bus" />
    ${
    n.members.map((m, i) => {
      const x = GAP + i * (BOX_W + GAP);
      const cx = x + BOX_W / 2;
      return html`<g key=${m.id + m.ifname}>
        <line x1=${cx} y1=${busY} x2=${cx} y2="110" class="wire" />
        <rect x=${x} y="110" width=${BOX_W} height="60" rx="6" class=${`node ${m.status}`} />
        <text x=${cx} y="135" text-anchor="middle" class="node-name">${m.name}</text>
        <text x=${cx} y="155" text-anchor="middle" class="node-ip">${m.ip ?? 'no address'}</text>
      </g>`;
    })
  }
  </svg>`;
}

export function NetworksPage() {
  const live = useLive<NetworkView[]>('/ui/api/networks', { when: changes('network', 'container') });
  const list = live.data;
  return html`<section aria-labelledby="h-networks">
    <h1 id="h-networks">Networks</h1>
    ${live.error ? html`<p class="error" role="alert">${live.error}</p>` : null}
    ${list === undefined ? html`<p>Loading…</p>` : list.length === 0 ? html`<p>No networks.</p>` : null}
    ${
    (list ?? []).map((n) =>
      html`<article class="network" key=${n.id} aria-labelledby=${`net-${n.id}`}>
      <h2 id=${`net-${n.id}`}>${n.name}${n.internal ? ' (internal)' : ''}</h2>
      <div class="scroll"><${SwitchMap} n=${n} /></div>
      <table class="grid members">
        <caption>Attached to ${n.name}: subnet ${n.subnet}, gateway ${n.gateway}, bridge ${n.bridge}</caption>
        <thead><tr><th scope="col">Container</th><th scope="col">Address</th><th scope="col">Interface</th><th scope="col">Status</th></tr></thead>
        <tbody>${
        n.members.map((m) =>
          html`<tr key=${m.id + m.ifname}><th scope="row"><a href=${`#/container/${m.id}`}>${m.name}</a></th><td class="ip">${m.ip ?? '—'}</td>
          <td>${m.ifname}</td><td>${m.status}</td></tr>`
        )
      }</tbody>
      </table>
    </article>`
    )
  }
  </section>`;
}
