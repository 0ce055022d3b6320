// Images and Volumes: lists with what can be done to them from here.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { LayerLine, PullLine } from '../pull.js';
import { change, changeStream } from './api.js';
import { changes, useLive } from './live.js';
import { ago, bytes, short } from './format.js';

interface Image {
  id: string;
  repository: string;
  tag: string;
  created: string;
  size: number;
}

function RemoveImage({ img, onDone }: { img: Image; onDone: () => void }) {
  const [error, setError] = useState<string | undefined>(undefined);
  const ref = img.repository === '<none>' ? img.id : `${img.repository}:${img.tag}`;
  const remove = async () => {
    setError(undefined);
    try {
      await change('DELETE', `/ui/api/images/${encodeURIComponent(ref)}`);
    } catch (e) {
      setError((e as Error).message);
    }
    onDone();
  };
  return html`<button type="button" class="danger" aria-label=${`Remove image ${ref}`} onClick=${() => void remove()}>Remove</button>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}`;
}

/** `berth pull REF` with a row a layer, as `docker pull` draws them; the engine's refusal in place. */
function PullImage({ onDone }: { onDone: () => void }) {
  const [ref, setRef] = useState('');
  const [pulling, setPulling] = useState<string | undefined>(undefined);
  const [last, setLast] = useState('');
  const [layers, setLayers] = useState<LayerLine[]>([]);
  const [result, setResult] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const pull = async (what: string) => {
    setPulling(what);
    setLast(what);
    setLayers([]);
    setResult(undefined);
    setError(undefined);
    try {
      await changeStream<PullLine>(`/ui/api/images/pull?ref=${encodeURIComponent(what)}`, (l) => {
        if ('layer' in l) setLayers((rows) => rows.some((r) => r.layer === l.layer) ? rows.map((r) => r.layer === l.layer ? l : r) : [...rows, l]);
        else if ('done' in l) setResult(`Pulled ${l.done} (${short(l.id.replace(/^sha256:/, ''))})`);
        else if ('error' in l) setError(l.error);
      });
    } catch (e) {
      setError((e as Error).message);
    }
    setPulling(undefined);
    onDone();
  };
  return html`<form class="toolbar" aria-label="Pull an image" onSubmit=${(e: Event) => {
    e.preventDefault();
    if (ref.trim() !== '') void pull(ref.trim());
  }}>
    <label>Image <input name="ref" required size="40" placeholder="registry/repository:tag" value=${ref}
      onInput=${(e: Event) => setRef((e.target as HTMLInputElement).value)} /></label>
    <button type="submit" disabled=${pulling !== undefined}>${pulling ? 'Pulling…' : 'Pull'}</button>
  </form>
  ${error ? html`<p class="error" role="alert">${error}</p>` : null}
  ${result ? html`<p class="ok" role="status">${result}</p>` : null}
  ${
    layers.length > 0
      ? html`<table class="grid pull">
    <caption>Layers of ${last}</caption>
    <thead><tr><th scope="col">Layer</th><th scope="col">Progress</th><th scope="col">State</th></tr></thead>
    <tbody>${
        layers.map((l) =>
          html`<tr key=${l.layer} data-layer=${l.layer}><th scope="row"><code>${l.layer}</code></th>
      <td><progress max=${Math.max(1, l.total)} value=${l.got} aria-label=${`Layer ${l.layer}`}></progress> ${bytes(l.got)} / ${bytes(l.total)}</td>
      <td class="state">${l.state}</td></tr>`
        )
      }</tbody></table>`
      : null
  }`;
}

export function ImagesPage() {
  const live = useLive<Image[]>('/ui/api/images', { when: changes('image') });
  return html`<section aria-labelledby="h-images">
    <h1 id="h-images">Images</h1>
    ${live.error ? html`<p class="error" role="alert">${live.error}</p>` : null}
    <${PullImage} onDone=${live.refresh} />
    <table class="grid">
      <thead><tr><th scope="col">Repository</th><th scope="col">Tag</th><th scope="col">Image ID</th><th scope="col">Created</th>
        <th scope="col">Size</th><th scope="col">Actions</th></tr></thead>
      <tbody>${
    (live.data ?? []).map((i) =>
      html`<tr key=${i.id + i.repository + i.tag}><th scope="row">${i.repository}</th><td>${i.tag}</td><td>${short(i.id.replace(/^sha256:/, ''))}</td>
        <td>${ago(i.created)} ago</td><td>${bytes(i.size)}</td><td><${RemoveImage} img=${i} onDone=${live.refresh} /></td></tr>`
    )
  }</tbody>
    </table>
  </section>`;
}

interface Volume {
  name: string;
  driver: string;
  mountpoint: string;
  createdAt: string;
  usedBy: string[];
}

export function VolumesPage() {
  const live = useLive<Volume[]>('/ui/api/volumes', { when: changes('volume', 'container') });
  return html`<section aria-labelledby="h-volumes">
    <h1 id="h-volumes">Volumes</h1>
    ${live.error ? html`<p class="error" role="alert">${live.error}</p>` : null}
    ${
    live.data?.length === 0 ? html`<p>No volumes.</p>` : html`<table class="grid">
      <thead><tr><th scope="col">Name</th><th scope="col">Driver</th><th scope="col">Used by</th><th scope="col">Mount point</th></tr></thead>
      <tbody>${
      (live.data ?? []).map((v) =>
        html`<tr key=${v.name}><th scope="row">${v.name}</th><td>${v.driver}</td><td>${v.usedBy.join(', ') || '—'}</td>
        <td><code>${v.mountpoint}</code></td></tr>`
      )
    }</tbody></table>`
  }
  </section>`;
}
