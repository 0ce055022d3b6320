// Images and Volumes: lists with what can be done to them from here.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { LayerLine, PullLine } from '../pull.js';
import { change, changeStream, getJson } from './api.js';
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

interface HistoryEntry {
  id: string;
  created: string;
  createdBy: string;
  size: number;
  comment: string;
}

/** `berth history REF`, read when first opened. */
function History({ refText }: { refText: string }) {
  const [rows, setRows] = useState<HistoryEntry[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    getJson<HistoryEntry[]>(`/ui/api/images/${encodeURIComponent(refText)}/history`).then(setRows, (e: Error) => setError(e.message));
  }, [refText]);
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!rows) return html`<p>Loading…</p>`;
  return html`<table class="grid history">
    <caption>History of ${refText}</caption>
    <thead><tr><th scope="col">Image</th><th scope="col">Created</th><th scope="col">Created by</th><th scope="col">Size</th></tr></thead>
    <tbody>${
    rows.map((h, i) =>
      html`<tr key=${i}><td>${h.id === '<missing>' ? h.id : short(h.id.replace(/^sha256:/, ''))}</td><td>${ago(h.created)} ago</td>
      <td><code>${h.createdBy}</code></td><td>${bytes(h.size)}</td></tr>`
    )
  }</tbody></table>`;
}

function ImageRow({ i, onDone }: { i: Image; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const refText = i.repository === '<none>' ? i.id : `${i.repository}:${i.tag}`;
  return html`<tr><th scope="row">${i.repository}</th><td>${i.tag}</td><td>${short(i.id.replace(/^sha256:/, ''))}</td>
    <td>${ago(i.created)} ago</td><td>${bytes(i.size)}</td>
    <td><div class="actions"><button type="button" aria-expanded=${open ? 'true' : 'false'} aria-label=${`History of ${refText}`}
      onClick=${() => setOpen(!open)}>History</button><${RemoveImage} img=${i} onDone=${onDone} /></div></td></tr>
    ${open ? html`<tr class="sub"><td colspan="6"><${History} refText=${refText} /></td></tr>` : null}`;
}

/** `berth image prune`: the dangling images (no name, no child) go. */
function PruneImages({ onDone }: { onDone: () => void }) {
  const [note, setNote] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const prune = async () => {
    setNote(undefined);
    setError(undefined);
    try {
      const r = await change<{ deleted: string[]; reclaimed: number }>('POST', '/ui/api/images/prune');
      setNote(`Deleted ${r.deleted.length} image${r.deleted.length === 1 ? '' : 's'}; reclaimed ${bytes(r.reclaimed)}`);
    } catch (e) {
      setError((e as Error).message);
    }
    onDone();
  };
  return html`<div class="toolbar"><button type="button" class="danger" onClick=${() => void prune()}>Prune dangling images</button>
    ${note ? html`<span role="status">${note}</span>` : null}${error ? html`<p class="error" role="alert">${error}</p>` : null}</div>`;
}

export function ImagesPage() {
  const images = changes('image');
  // A commit is the container's event in Docker's journal; the image it makes is ours to list.
  const live = useLive<Image[]>('/ui/api/images', { when: (ev) => images(ev) || (ev.type === 'container' && ev.action === 'commit') });
  return html`<section aria-labelledby="h-images">
    <h1 id="h-images">Images</h1>
    ${live.error ? html`<p class="error" role="alert">${live.error}</p>` : null}
    <${PullImage} onDone=${live.refresh} />
    <${PruneImages} onDone=${live.refresh} />
    <table class="grid">
      <thead><tr><th scope="col">Repository</th><th scope="col">Tag</th><th scope="col">Image ID</th><th scope="col">Created</th>
        <th scope="col">Size</th><th scope="col">Actions</th></tr></thead>
      <tbody>${(live.data ?? []).map((i) => html`<${ImageRow} key=${i.id + i.repository + i.tag} i=${i} onDone=${live.refresh} />`)}</tbody>
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
