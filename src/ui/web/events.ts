// The Events page: the journal as it comes (`berth events`), the last hour first, newest on top.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { UiEvent } from './live.js';

const MAX = 500;

export function EventsPage() {
  const [list, setList] = useState<(UiEvent & { n: number })[]>([]);
  const [state, setState] = useState('following');
  useEffect(() => {
    let n = 0;
    // Its own stream, for the history: the shared one (live.ts) starts at the page's load.
    const es = new EventSource('/ui/api/events?since=3600');
    es.onmessage = (m: MessageEvent<string>) => {
      const ev = { ...(JSON.parse(m.data) as UiEvent), n: n++ };
      setList((l) => [ev, ...l.slice(0, MAX - 1)]);
    };
    // Reconnecting would replay the hour and double the rows.
    es.onerror = () => {
      es.close();
      setState('the stream was cut: reload the page to follow again');
    };
    return () => es.close();
  }, []);
  return html`<section aria-labelledby="h-events">
    <h1 id="h-events">Events</h1>
    <p class="muted">${state}</p>
    <table class="grid">
      <caption class="sr-only">The events journal, newest first</caption>
      <thead><tr><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Action</th><th scope="col">Actor</th></tr></thead>
      <tbody aria-live="polite">${
    list.map((e) =>
      html`<tr key=${e.n} data-type=${e.type} data-action=${e.action}><td>${new Date(e.time * 1000).toLocaleTimeString()}</td><td>${e.type}</td>
        <td>${e.action}</td><th scope="row">${e.name || e.id.slice(0, 12)}</th></tr>`
    )
  }</tbody>
    </table>
  </section>`;
}
