// The dashboard's shell: a navigation bar and the page the location's hash names.
import './style-nonce.js';
import { render } from 'preact';
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { ContainersPage } from './containers.js';
import { ContainerPage } from './container.js';
import { EventsPage } from './events.js';
import { NetworksPage } from './networks.js';
import { ImagesPage, VolumesPage } from './others.js';
import { StacksPage } from './stacks.js';

const PAGES = [
  { path: 'containers', label: 'Containers' },
  { path: 'networks', label: 'Networks' },
  { path: 'images', label: 'Images' },
  { path: 'volumes', label: 'Volumes' },
  { path: 'stacks', label: 'Stacks' },
  { path: 'events', label: 'Events' },
];

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function page(hash: string) {
  const [, what = 'containers', arg] = hash.replace(/^#/, '').split('/');
  switch (what) {
    case 'container':
      return html`<${ContainerPage} id=${decodeURIComponent(arg ?? '')} key=${arg} />`;
    case 'networks':
      return html`<${NetworksPage} />`;
    case 'images':
      return html`<${ImagesPage} />`;
    case 'volumes':
      return html`<${VolumesPage} />`;
    case 'stacks':
      return html`<${StacksPage} />`;
    case 'events':
      return html`<${EventsPage} />`;
    default:
      return html`<${ContainersPage} />`;
  }
}

function App() {
  const hash = useHash();
  const current = hash.replace(/^#\//, '').split('/')[0] || 'containers';
  useEffect(() => {
    document.title = `berth · ${current}`;
  }, [current]);
  return html`<header><a class="brand" href="#/containers">berth</a>
    <nav aria-label="Pages"><ul>${
    PAGES.map((p) =>
      html`<li><a href=${`#/${p.path}`} aria-current=${
        current === p.path || (p.path === 'containers' && current === 'container') ? 'page' : undefined
      }>${p.label}</a></li>`
    )
  }</ul></nav></header>
    <main>${page(hash)}</main>`;
}

const root = document.getElementById('app')!;
// The "Loading…" placeholder goes: Preact would keep it beside the app.
root.textContent = '';
render(html`<${App} />`, root);
