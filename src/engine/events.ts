// The events journal as the engine keeps it: recordEvent appends one of Docker's events as an
// operation happens (one INSERT; a failure is written to stderr and never fails the operation),
// and followEvents reads the journal, then follows it. There is no daemon to push events, so a
// follower watches the instances file's directory (any berth process's commit touches
// berth.db-wal) and polls slowly as a backstop for a change the watch misses.
import { watch, type FSWatcher } from 'node:fs';
import { constants } from 'node:os';
import { eventsAfter, insertEvent, lastEventRowid, type EventRow } from '../state/events.js';
import { endpointsOfContainer } from '../state/endpoints.js';
import { getNetworkRow } from '../state/networks.js';
import type { EngineContext } from './context.js';
import type { Container } from './container-records.js';
import { checkEventFilters, matchesEvent, type EngineEvent, type EventFilters, type EventType } from './event-format.js';

const BACKSTOP_MS = 1000;
const PAGE = 500;

// Date.now() has milliseconds; the monotonic clock gives the rest, anchored once per process.
const anchor = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
export const nowNano = (): bigint => anchor + process.hrtime.bigint();

export function recordEvent(ctx: EngineContext, type: EventType, action: string, actorId: string, attributes: Record<string, string> = {}): void {
  try {
    insertEvent(ctx.db, { timeNano: nowNano(), type, action, actorId, attributes });
  } catch (e) {
    process.stderr.write(`berth: warning: the ${type} ${action} event was not recorded: ${(e as Error).message}\n`);
  }
}

/** Runs what only gathers an event's actor: its failure is written to stderr, never thrown. */
export function quietly(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    process.stderr.write(`berth: warning: an event was not recorded: ${(e as Error).message}\n`);
  }
}

/** Docker's attributes of a container event: its labels, then image and name. */
export function containerAttributes(c: Container, extra: Record<string, string> = {}): Record<string, string> {
  return { ...c.labels, image: c.imageRef, name: c.name, ...extra };
}

export function recordContainerEvent(ctx: EngineContext, action: string, c: Container, extra: Record<string, string> = {}): void {
  recordEvent(ctx, 'container', action, c.id, containerAttributes(c, extra));
}

/**
 * Docker's events of a run's start (volume mount, network connect) or end (network disconnect),
 * from the container's endpoints: a network joined with `network connect` counts too.
 */
export function recordRunEvents(ctx: EngineContext, phase: 'start' | 'end', c: Container): void {
  try {
    if (phase === 'start') {
      for (const v of c.spec.volumes.filter((m) => m.named === true)) {
        recordEvent(ctx, 'volume', 'mount', v.source, {
          container: c.id,
          destination: v.destination,
          driver: 'local',
          propagation: '',
          'read/write': String(!v.readonly),
        });
      }
    }
    if (c.spec.networkMode !== 'bridge') return;
    for (const e of endpointsOfContainer(ctx.db, c.id)) {
      const id = getNetworkRow(ctx.db, e.network)?.id ?? e.network;
      recordEvent(ctx, 'network', phase === 'start' ? 'connect' : 'disconnect', id, { container: c.id, name: e.network, type: 'bridge' });
    }
  } catch (e) {
    process.stderr.write(`berth: warning: the events of ${c.name}'s ${phase} were not recorded: ${(e as Error).message}\n`);
  }
}

/** Docker's kill event gives the signal's number ("9", "15"). */
export function signalNumber(signal: string | undefined): string {
  const s = signal ?? 'SIGKILL';
  if (/^\d+$/.test(s)) return s;
  const name = `SIG${s.toUpperCase().replace(/^SIG/, '')}` as keyof typeof constants.signals;
  return String(constants.signals[name] ?? s);
}

export interface EventQuery {
  /** From this time; absent: only events recorded from now on. */
  since?: Date;
  /** Up to this time, then the stream ends; absent: follow until the signal. */
  until?: Date;
  filters?: EventFilters;
}

const toNano = (d: Date) => BigInt(d.getTime()) * 1_000_000n;

export function toEvent(r: EventRow): EngineEvent {
  return {
    Type: r.type as EventType,
    Action: r.action,
    Actor: { ID: r.actorId, Attributes: r.attributes },
    scope: 'local',
    time: Number(r.timeNano / 1_000_000_000n),
    timeNano: r.timeNano,
  };
}

export async function* followEvents(ctx: EngineContext, q: EventQuery, signal?: AbortSignal): AsyncGenerator<EngineEvent> {
  const filters = q.filters ?? {};
  checkEventFilters(filters);
  const sinceNano = q.since === undefined ? undefined : toNano(q.since);
  // A Date has milliseconds: until takes in the whole of its last one.
  const untilNano = q.until === undefined ? undefined : toNano(q.until) + 999_999n;
  let after = sinceNano === undefined ? lastEventRowid(ctx.db) : 0;
  const wake = new Wake(ctx.paths.root);
  try {
    for (;;) {
      const rows = eventsAfter(ctx.db, { afterRowid: after, ...(sinceNano === undefined ? {} : { sinceNano }), limit: PAGE });
      for (const r of rows) {
        after = r.rowid;
        if (untilNano !== undefined && r.timeNano > untilNano) continue;
        const ev = toEvent(r);
        if (matchesEvent(filters, ev)) yield ev;
      }
      if (rows.length === PAGE) continue;
      if (signal?.aborted === true) return;
      const left = untilNano === undefined ? BACKSTOP_MS : Number((untilNano - nowNano()) / 1_000_000n);
      if (left < 0) return;
      await wake.next(Math.min(BACKSTOP_MS, left + 1), signal);
    }
  } finally {
    wake.close();
  }
}

/** Resolves on a change to the instances file (its -wal), after `ms`, or on abort. */
class Wake {
  private watcher: FSWatcher | undefined;
  private pending = false;
  private resolve: (() => void) | undefined;

  constructor(root: string) {
    try {
      this.watcher = watch(root, { persistent: false }, (_kind, name) => {
        if (name === null || !String(name).startsWith('berth.db')) return;
        this.pending = true;
        this.resolve?.();
      });
      this.watcher.on('error', () => this.close());
    } catch {
      // No inotify (exhausted watches): the backstop poll alone still follows.
      this.watcher = undefined;
    }
  }

  async next(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.resolve = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.resolve = done;
    });
    this.pending = false;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
