// The Containers page: `berth ps -a` with addresses, ports and limits, and the lifecycle buttons.
// A refused action shows the engine's own message in the row, as the CLI would print it.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { change } from './api.js';
import { changes, useLive } from './live.js';
import { limitsText, short, statusText } from './format.js';

// The document's shape is the server's own (ui/views.ts): one declaration, erased from the bundle.
export type { ContainerView } from '../views.js';
import type { ContainerView } from '../views.js';

const ACTIONS: { verb: string; label: string; when: (s: string) => boolean }[] = [
  { verb: 'start', label: 'Start', when: (s) => s !== 'running' && s !== 'paused' },
  { verb: 'stop', label: 'Stop', when: (s) => s === 'running' },
  { verb: 'restart', label: 'Restart', when: () => true },
  { verb: 'kill', label: 'Kill', when: (s) => s === 'running' },
  { verb: 'remove', label: 'Remove', when: () => true },
];

export function Actions({ c, onDone }: { c: ContainerView; onDone: () => void }) {
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const run = async (verb: string) => {
    setBusy(verb);
    setError(undefined);
    try {
      if (verb === 'remove') await change('DELETE', `/ui/api/containers/${encodeURIComponent(c.id)}`);
      else await change('POST', `/ui/api/containers/${encodeURIComponent(c.id)}/${verb}`);
    } catch (e) {
      setError((e as Error).message);
    }
    setBusy(undefined);
    onDone();
  };
  return html`<div class="actions">
    ${
    ACTIONS.filter((a) => a.when(c.status)).map((a) =>
      html`<button type="button" disabled=${busy !== undefined} aria-label=${`${a.label} ${c.name}`}
        class=${a.verb === 'remove' || a.verb === 'kill' ? 'danger' : ''} onClick=${() => void run(a.verb)}>
        ${busy === a.verb ? `${a.label}…` : a.label}</button>`
    )
  }
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
  </div>`;
}

export function ContainersPage() {
  const live = useLive<ContainerView[]>('/ui/api/containers', { when: changes('container', 'network') });
  const list = live.data;
  return html`<section aria-labelledby="h-containers">
    <h1 id="h-containers">Containers</h1>
    ${live.error ? html`<p class="error" role="alert">${live.error}</p>` : null}
    ${
    list === undefined ? html`<p>Loading…</p>` : list.length === 0 ? html`<p>No containers. Start one with <code>berth run</code>.</p>` : html`
    <table class="grid">
      <caption class="sr-only">Every container, newest first</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Image</th><th scope="col">Status</th><th scope="col">Addresses</th>
        <th scope="col">Ports</th><th scope="col">Limits</th><th scope="col">Actions</th></tr></thead>
      <tbody>
        ${
      list.map((c) =>
        html`<tr key=${c.id} data-name=${c.name} data-status=${c.status}>
          <th scope="row"><a href=${`#/container/${c.id}`}>${c.name}</a><div class="id">${short(c.id)}</div></th>
          <td>${c.image}</td>
          <td><span class=${`status ${c.status}`}>${statusText(c)}</span></td>
          <td>${c.addresses.length === 0 ? '—' : c.addresses.map((a) => html`<div>${a.ip ?? '—'} <span class="muted">(${a.network})</span></div>`)}</td>
          <td>${c.ports.length === 0 ? '—' : c.ports.map((p) => html`<div>${p}</div>`)}</td>
          <td>${limitsText(c.limits)}</td>
          <td><${Actions} c=${c} onDone=${live.refresh} /></td>
        </tr>`
      )
    }
      </tbody>
    </table>`
  }
  </section>`;
}
