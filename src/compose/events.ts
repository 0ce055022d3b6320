// `compose events`: the engine's container events of one project, as Docker Compose v2 shapes
// them (pkg/compose/events.go): one-offs and other types left out, compose's own labels dropped
// from the attributes, a line of text or, with --json, one object a line.
import type { EngineEvent } from '../engine/index.js';
import { LABEL_ONEOFF, LABEL_PROJECT, LABEL_SERVICE } from './model.js';

export interface ComposeEvent {
  timeNano: bigint;
  service: string;
  container: string;
  action: string;
  attributes: Record<string, string>;
}

/** The engine's label filter for the project: the journal is read for it alone. */
export const projectFilter = (project: string): string => `${LABEL_PROJECT}=${project}`;

/** The event as Compose reports it, or undefined when Compose would skip it. */
export function composeEvent(ev: EngineEvent, services: readonly string[]): ComposeEvent | undefined {
  if (ev.Type !== 'container') return undefined;
  const a = ev.Actor.Attributes;
  const service = a[LABEL_SERVICE] ?? '';
  if (service === '' || a[LABEL_ONEOFF] === 'True') return undefined;
  if (services.length > 0 && !services.includes(service)) return undefined;
  const attributes: Record<string, string> = {};
  for (const k of Object.keys(a).sort()) if (!k.startsWith('com.docker.compose.')) attributes[k] = a[k]!;
  return { timeNano: ev.timeNano, service, container: ev.Actor.ID, action: ev.Action, attributes };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Local wall-clock parts of a nanosecond time, with the zone's offset in minutes east of UTC. */
function local(ns: bigint): { date: string; time: string; frac: string; offsetMin: number } {
  const d = new Date(Number(ns / 1_000_000n));
  return {
    date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    time: `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`,
    frac: String(ns % 1_000_000_000n).padStart(9, '0'),
    offsetMin: -d.getTimezoneOffset(),
  };
}

/** Compose's Event.String(): Go's "2006-01-02 15:04:05.000000" in local time, then the attributes. */
export function eventText(e: ComposeEvent): string {
  const t = local(e.timeNano);
  const attrs = Object.entries(e.attributes).map(([k, v]) => `${k}=${v}`).join(', ');
  return `${t.date} ${t.time}.${t.frac.slice(0, 6)} container ${e.action} ${e.container} (${attrs})`;
}

/** Go's time.Time in JSON: RFC 3339 with the nanoseconds, trailing zeros trimmed, local offset. */
export function goTime(ns: bigint): string {
  const t = local(ns);
  const frac = t.frac.replace(/0+$/, '');
  const off = t.offsetMin === 0 ? 'Z' : `${t.offsetMin > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(t.offsetMin) / 60))}:${pad(Math.abs(t.offsetMin) % 60)}`;
  return `${t.date}T${t.time}${frac ? `.${frac}` : ''}${off}`;
}

/** `--json`: Compose's object (Go marshals map keys sorted). */
export function eventJsonLine(e: ComposeEvent): string {
  return JSON.stringify({ action: e.action, attributes: e.attributes, id: e.container, service: e.service, time: goTime(e.timeNano), type: 'container' });
}
