// The Networks page: each switch (a Linux bridge) drawn with the containers plugged into it and
// their addresses — the seed's "list of virtual switches with their addresses" as a picture. The
// same facts, with the links, are in a table below each drawing (the drawing is one image to a
// screen reader, so it holds no controls).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { change } from './api.js';
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

/** `berth network create [--subnet] [--internal] NAME`; the engine's refusal shown beside the form. */
function CreateNetwork({ onDone }: { onDone: () => void }) {
  const [error, setError] = useState<string | undefined>(undefined);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = e.target as HTMLFormElement;
    const v = (n: string) => (f.elements.namedItem(n) as HTMLInputElement);
    setError(undefined);
    try {
      await change('POST', '/ui/api/networks', { name: v('name').value.trim(), subnet: v('subnet').value.trim(), internal: v('internal').checked });
      f.reset();
    } catch (err) {
      setError((err as Error).message);
    }
    onDone();
  };
  return html`<form class="toolbar" aria-label="Create a network" onSubmit=${(e: Event) => void submit(e)}>
    <label>Name <input name="name" required pattern=${'[a-zA-Z0-9][a-zA-Z0-9_.\\-]*'} /></label>
    <label>Subnet <input name="subnet" placeholder="automatic" /></label>
    <label><input type="checkbox" name="internal" /> Internal</label>
    <button type="submit">Create network</button>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
  </form>`;
}

function RemoveNetwork({ name, onDone }: { name: string; onDone: () => void }) {
  const [error, setError] = useState<string | undefined>(undefined);
  const remove = async () => {
    setError(undefined);
    try {
      await change('DELETE', `/ui/api/networks/${encodeURIComponent(name)}`);
    } catch (e) {
      setError((e as Error).message);
    }
    onDone();
  };
  return html`<button type="button" class="danger" aria-label=${`Remove network ${name}`} onClick=${() => void remove()}>Remove</button>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}`;
}

export function NetworksPage() {
  const live = useLive<NetworkView[]>('/ui/api/networks', { when: changes('network', 'container') });
  const list = live.data;
  return html`<section aria-labelledby="h-networks">
    <h1 id="h-networks">Networks</h1>
    ${live.error ? html`<p class="error" role="alert">${live.error}</p>` : null}
    <${CreateNetwork} onDone=${live.refresh} />
    ${list === undefined ? html`<p>Loading…</p>` : list.length === 0 ? html`<p>No networks.</p>` : null}
    ${
    (list ?? []).map((n) =>
      html`<article class="network" key=${n.id} aria-labelledby=${`net-${n.id}`}>
      <h2 id=${`net-${n.id}`}>${n.name}${n.internal ? ' (internal)' : ''}</h2>
      <${RemoveNetwork} name=${n.name} onDone=${live.refresh} />
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
