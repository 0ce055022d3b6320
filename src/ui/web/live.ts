// When the pages read their data again: when the events journal says something changed. One
// EventSource (GET /ui/api/events) serves every page; each list reads itself again a moment after
// an event it cares about, once for a burst (a `compose up` of 50 containers is one read, not 50),
// and never two reads of one list at a time. A slow timer stays as a backstop, for the uptimes
// ("Up 5 minutes") and for a change the journal does not record; usage (stats) has no events and
// is still polled by the pages that chart it.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { getJson } from './api.js';

/** One event as /ui/api/events sends it (Docker's Type, Action and Actor, trimmed). */
export interface UiEvent {
  type: string;
  action: string;
  id: string;
  name: string;
  time: number;
  attributes: Record<string, string>;
}

export interface Live<T> {
  data: T | undefined;
  error: string | undefined;
  refresh: () => void;
}

export interface LiveOptions {
  /** Read again every so many ms regardless of events (usage charts). */
  pollMs?: number;
  /** Which events concern this list; every event when absent. */
  when?: (ev: UiEvent) => boolean;
}

export const BACKSTOP_MS = 30_000;
const BURST_MS = 150;

/** undefined: the stream was cut and is back, so anything may have changed meanwhile. */
type Listener = (ev: UiEvent | undefined) => void;
const listeners = new Set<Listener>();
let source: EventSource | undefined;

export function onEvent(fn: Listener): () => void {
  listeners.add(fn);
  if (!source) {
    let opened = false;
    source = new EventSource('/ui/api/events');
    source.onopen = () => {
      if (opened) { for (const l of listeners) l(undefined); }
      opened = true;
    };
    source.onmessage = (m: MessageEvent<string>) => {
      const ev = JSON.parse(m.data) as UiEvent;
      for (const l of listeners) l(ev);
    };
  }
  return () => listeners.delete(fn);
}

// What a terminal or a log reader does to a container is an event too, but changes no list.
const QUIET = /^(exec_|attach|detach|resize|top|export|copy|archive-path)/;

/** Events of these types that change something a list shows. */
export function changes(...types: string[]): (ev: UiEvent) => boolean {
  return (ev) => types.includes(ev.type) && !QUIET.test(ev.action);
}

export function useLive<T>(url: string, o: LiveOptions = {}): Live<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const st = useRef({ alive: true, loading: false, again: false });
  const when = useRef(o.when);
  when.current = o.when;
  const every = o.pollMs ?? BACKSTOP_MS;
  const load = useCallback(async () => {
    const s = st.current;
    clearTimeout(timer.current);
    if (s.loading) {
      s.again = true;
      return;
    }
    s.loading = true;
    try {
      const d = await getJson<T>(url);
      if (s.alive) {
        setData(d);
        setError(undefined);
      }
    } catch (e) {
      if (s.alive) setError((e as Error).message);
    }
    s.loading = false;
    if (!s.alive) return;
    if (s.again) {
      s.again = false;
      void load();
    } else {
      timer.current = setTimeout(() => void load(), every);
    }
  }, [url, every]);
  useEffect(() => {
    const s = st.current;
    s.alive = true;
    void load();
    let burst: ReturnType<typeof setTimeout> | undefined;
    const off = onEvent((ev) => {
      if (ev && when.current && !when.current(ev)) return;
      burst ??= setTimeout(() => {
        burst = undefined;
        void load();
      }, BURST_MS);
    });
    return () => {
      s.alive = false;
      off();
      clearTimeout(burst);
      clearTimeout(timer.current);
    };
  }, [load]);
  return { data, error, refresh: () => void load() };
}
