// GET /events: Docker's events from the journal as a stream of JSON objects, one a line, each
// with the new fields (Type, Action, Actor, scope, time, timeNano) and the old ones (status, id,
// from). since/until are Unix seconds (the docker CLI turns its durations and dates into those);
// without until the stream follows until the client goes away.
import type { Call, Route } from './router.js';
import { qFilters, qStr } from './http.js';
import { badRequest } from './errors.js';
import { checkEventFilters, eventJson, type EventFilters } from '../engine/index.js';

function unixTime(c: Call, key: string): Date | undefined {
  const v = qStr(c.query, key, 64);
  if (v === undefined || v === '') return undefined;
  // Docker sends "SECONDS" or "SECONDS.NANOSECONDS".
  const m = /^(-?\d{1,12})(?:\.(\d{1,9}))?$/.exec(v);
  if (!m) throw badRequest(`invalid ${key} value "${v}": expected Unix seconds`);
  return new Date(Number(m[1]) * 1000 + Math.floor(Number((m[2] ?? '0').padEnd(9, '0')) / 1e6));
}

async function events(c: Call): Promise<void> {
  const filters: EventFilters = Object.fromEntries(qFilters(c.query));
  checkEventFilters(filters);
  const since = unixTime(c, 'since');
  const until = unixTime(c, 'until');
  // Headers at once: a client following from now on sees the stream open before any event.
  c.res.writeHead(200, { 'Content-Type': 'application/json' });
  c.res.flushHeaders();
  const stream = c.engine.system.events({ filters, ...(since ? { since } : {}), ...(until ? { until } : {}) }, c.signal);
  for await (const ev of stream) {
    if (!c.res.write(`${eventJson(ev)}\n`)) await new Promise((r) => c.res.once('drain', r));
  }
  c.res.end();
}

export const eventRoutes: Route[] = [['GET', '/events', events]];
