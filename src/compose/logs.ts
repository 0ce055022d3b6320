// `compose logs` and the attached `up`: the project's containers' logs interleaved, each line
// prefixed with its service and replica ("web-2 | "). Each container is followed by the
// engine's one log follower; this module only prefixes and merges.
import type { Container, Engine } from '../engine/index.js';
import { LABEL_NUMBER, LABEL_SERVICE } from './model.js';

export interface LogStreamOptions {
  follow: boolean;
  timestamps: boolean;
  /** Lines per container from the end of its log; undefined for all. */
  tail?: number;
  write: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Checked every 100 ms while following: true ends the stream (Ctrl-C). */
  stopped?: () => boolean;
  /**
   * Run once `stopped()` said so (up's graceful stop): the streams then go on until the
   * containers have stopped, so their last words are shown. Without it, they end at once.
   */
  onStop?: () => void | Promise<void>;
  /** Each container's prefix in a colour of its own (a terminal, without --no-color). */
  color?: boolean;
}

// Compose v2's rainbow (cmd/formatter/colors.go): cyan, yellow, green, magenta, blue, then the
// intense ones, handed out to the containers in turn.
const RAINBOW = ['36', '33', '32', '35', '34', '36;1', '33;1', '32;1', '35;1', '34;1'];

/** The i-th container's prefix, coloured as Compose colours it. */
export function colorPrefix(prefix: string, i: number): string {
  return `\x1b[${RAINBOW[i % RAINBOW.length]}m${prefix}\x1b[0m`;
}

export function logPrefix(c: Container): string {
  return `${c.labels[LABEL_SERVICE] ?? c.name}-${c.labels[LABEL_NUMBER] ?? '?'}`;
}

/** Prints the containers' logs; when following, returns once none of them runs or `stopped()` says so. */
export async function streamLogs(engine: Engine, ctrs: readonly Container[], o: LogStreamOptions): Promise<void> {
  const width = Math.max(0, ...ctrs.map((c) => logPrefix(c).length));
  const abort = new AbortController();
  let watching = true;
  const watch = (async () => {
    if (!o.follow || !o.stopped) return;
    while (watching && !o.stopped()) await new Promise((r) => setTimeout(r, 100));
    if (!watching) return;
    if (o.onStop) await o.onStop();
    else abort.abort();
  })();
  try {
    await Promise.all(ctrs.map(async (c, i) => {
      const plain = `${logPrefix(c).padEnd(width)} | `;
      const prefix = o.color ? colorPrefix(plain, i) : plain;
      try {
        for await (const chunk of engine.containers.logs(c.id, {
          follow: o.follow,
          timestamps: o.timestamps,
          signal: abort.signal,
          ...(o.tail !== undefined ? { tail: o.tail } : {}),
        })) o.write(chunk.stream, `${prefix}${chunk.text}`);
      } catch {
        // Removed meanwhile: its stream simply ends.
      }
    }));
  } finally {
    watching = false;
  }
  await watch;
}
