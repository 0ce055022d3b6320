// What the pages show is read again every few seconds. This is the one place that decides when:
// once the events journal lands (GET /events), a subscription to it can call `refresh` here
// instead of the timer, and no page changes.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { getJson } from './api.js';

export interface Live<T> {
  data: T | undefined;
  error: string | undefined;
  refresh: () => void;
}

export const POLL_MS = 2000;

export function useLive<T>(url: string, everyMs = POLL_MS): Live<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const alive = useRef(true);
  const load = useCallback(async () => {
    clearTimeout(timer.current);
    try {
      const d = await getJson<T>(url);
      if (!alive.current) return;
      setData(d);
      setError(undefined);
    } catch (e) {
      if (alive.current) setError((e as Error).message);
    }
    // One read at a time: the next is timed from the end of this one.
    if (alive.current) timer.current = setTimeout(() => void load(), everyMs);
  }, [url, everyMs]);
  useEffect(() => {
    alive.current = true;
    void load();
    return () => {
      alive.current = false;
      clearTimeout(timer.current);
    };
  }, [load]);
  return { data, error, refresh: () => void load() };
}
