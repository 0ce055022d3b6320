// `compose logs` and the attached `up`: the project's containers' logs interleaved, each line
// prefixed with its service and replica ("web-2 | ").
import type { EngineContext } from '../engine/context.js';
import { logPath } from '../engine/context.js';
import { lookup, reconcileOne, type Container } from '../engine/containers.js';
import { LogFollower, renderRecords } from '../engine/logs.js';
import { LABEL_NUMBER, LABEL_SERVICE } from './model.js';

export interface LogStreamOptions {
  follow: boolean;
  timestamps: boolean;
  /** Lines per container from the end of its log; undefined for all. */
  tail?: number;
  write: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Checked between polls while following: true ends the stream (Ctrl-C). */
  stopped?: () => boolean;
  /** Run once `stopped()` ended the stream, before the last lines are read (the stop's own output). */
  onStop?: () => void | Promise<void>;
}

export function logPrefix(c: Container): string {
  return `${c.labels[LABEL_SERVICE] ?? c.name}-${c.labels[LABEL_NUMBER] ?? '?'}`;
}

/** Prints the containers' logs; when following, returns once none of them runs or `stopped()` says so. */
export async function streamLogs(ctx: EngineContext, ctrs: readonly Container[], o: LogStreamOptions): Promise<void> {
  const width = Math.max(0, ...ctrs.map((c) => logPrefix(c).length));
  const followers = ctrs.map((c) => ({ c, f: new LogFollower(logPath(ctx, c.id)), prefix: `${logPrefix(c).padEnd(width)} | ` }));
  const flush = (first: boolean) => {
    for (const { f, prefix } of followers) {
      let recs = f.read();
      if (first && o.tail !== undefined) recs = recs.slice(Math.max(0, recs.length - o.tail));
      for (const r of renderRecords(recs, { timestamps: o.timestamps })) o.write(r.stream, `${prefix}${r.text}`);
    }
  };
  flush(true);
  if (!o.follow) return;
  for (;;) {
    if (o.stopped?.()) {
      await o.onStop?.();
      break;
    }
    const running = followers.filter(({ c }) => {
      try {
        return reconcileOne(ctx, lookup(ctx, c.id)).status === 'running';
      } catch {
        return false; // removed meanwhile
      }
    });
    flush(false);
    if (running.length === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  flush(false);
}
