// The Stacks page: compose projects found by their containers' labels, each service with its
// replicas, and compose's up, down and scale (src/ui/stacks.ts runs the CLI's own compose code).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { change } from './api.js';
import { changes, useLive } from './live.js';

interface Stack {
  project: string;
  services: { name: string; replicas: number; running: number; containers: { id: string; name: string; status: string }[] }[];
}

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
