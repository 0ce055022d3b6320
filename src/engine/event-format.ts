// Docker's events as plain data, and the two ways fronts write them: the API's JSON object
// (the new Type/Action/Actor fields and the old status/id/from) and the CLI's text line.
// Pure, so it is tested without a root. timeNano is a bigint: Unix nanoseconds do not fit a
// double, and the docker CLI reads the field as an exact int64.
import { invalid } from '../common/errors.js';

export type EventType = 'container' | 'image' | 'network' | 'volume';

export interface EngineEvent {
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  /** Unix seconds. */
  time: number;
  timeNano: bigint;
}

/** Docker's JSON message, timeNano written exactly. */
export function eventJson(ev: EngineEvent): string {
  const legacy: Record<string, string> = {};
  // Docker's old fields exist for containers and images only; `from` is the container's image.
  if (ev.Type === 'container' || ev.Type === 'image') {
    legacy['status'] = ev.Action;
    legacy['id'] = ev.Actor.ID;
    const from = ev.Actor.Attributes['image'];
    if (ev.Type === 'container' && from !== undefined) legacy['from'] = from;
  }
  const doc = { ...legacy, Type: ev.Type, Action: ev.Action, Actor: ev.Actor, scope: ev.scope, time: ev.time, timeNano: 0 };
  return JSON.stringify(doc).replace(/"timeNano":0\}$/, `"timeNano":${ev.timeNano}}`);
}

/** The same message as a plain object, timeNano a number (for templates, whose output is text). */
export function eventDoc(ev: EngineEvent): Record<string, unknown> {
  return JSON.parse(eventJson(ev)) as Record<string, unknown>;
}

/** `2026-12-03T13:00:00.000000000Z container start ID (image=busybox, name=web)`, as `docker events` prints. */
export function eventLine(ev: EngineEvent): string {
  const attrs = Object.entries(ev.Actor.Attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`);
  return `${nanoTime(ev.timeNano)} ${ev.Type} ${ev.Action} ${ev.Actor.ID}${attrs.length > 0 ? ` (${attrs.join(', ')})` : ''}`;
}

/** RFC 3339 with nine fraction digits, in UTC. */
export function nanoTime(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString(); // 2026-12-03T13:00:00.123Z
  return `${iso.slice(0, 19)}.${String(ns % 1_000_000_000n).padStart(9, '0')}Z`;
}

/** Docker's filters for events: one key's values are alternatives, different keys all apply, labels all apply. */
export interface EventFilters {
  [key: string]: readonly string[];
}

const KEYS = new Set(['container', 'event', 'image', 'label', 'network', 'scope', 'type', 'volume']);

/** `k=v` strings (the CLI's --filter) into a filter map; an unknown key is the user's error. */
export function parseEventFilters(specs: readonly string[]): EventFilters {
  const out: Record<string, string[]> = {};
  for (const s of specs) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw invalid('events.bad_filter', `bad format of filter (expected name=value): ${s}`);
    (out[s.slice(0, eq)] ??= []).push(s.slice(eq + 1));
  }
  checkEventFilters(out);
  return out;
}

export function checkEventFilters(f: EventFilters): void {
  for (const k of Object.keys(f)) if (!KEYS.has(k)) throw invalid('events.bad_filter', `invalid filter '${k}'`, `filters: ${[...KEYS].join(', ')}`);
  for (const t of f['type'] ?? []) {
    if (!['container', 'image', 'network', 'volume', 'daemon', 'plugin'].includes(t)) throw invalid('events.bad_filter', `invalid filter 'type=${t}'`);
  }
}

/** Docker's daemon/events/filter.go Include, for the keys berth has. */
export function matchesEvent(f: EventFilters, ev: EngineEvent): boolean {
  const exact = (key: string, ...sources: string[]) => f[key] === undefined || sources.some((s) => f[key]!.includes(s));
  // Docker's FuzzyMatch: a value matches the whole source or a prefix of it (an id prefix).
  const fuzzy = (key: string, ...sources: string[]) => f[key] === undefined || sources.some((s) => s !== '' && f[key]!.some((v) => s.startsWith(v)));
  const attrs = ev.Actor.Attributes;
  const byName = (type: EventType) => f[type] === undefined || (ev.Type === type && fuzzy(type, ev.Actor.ID, attrs['name'] ?? ''));
  const imageName = (ev.Type === 'image' ? attrs['name'] : attrs['image']) ?? '';
  const action = ['health_status', 'exec_create', 'exec_start'].some((a) => f['event']?.includes(a)) ? fuzzy('event', ev.Action) : exact('event', ev.Action);
  return action && exact('type', ev.Type) && exact('scope', ev.scope) && byName('container') && byName('network') && byName('volume') &&
    exact('image', ev.Actor.ID, imageName, stripTag(ev.Actor.ID), stripTag(imageName)) &&
    (f['label'] ?? []).every((l) => {
      const eq = l.indexOf('=');
      return eq < 0 ? attrs[l] !== undefined : attrs[l.slice(0, eq)] === l.slice(eq + 1);
    });
}

function stripTag(ref: string): string {
  const at = ref.indexOf('@');
  if (at >= 0) return ref.slice(0, at);
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(0, colon) : ref;
}
