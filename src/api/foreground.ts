// Containers a client is attached to or waiting on. The docker CLI's `run` attaches and waits
// before it starts the container, and with --rm waits for it to be removed: its output and exit
// code must outlive the container. So while a client holds a container, the server starts it
// attached (conmon does not call berth back to remove it), collects its exit itself, keeps the
// code, and only then applies AutoRemove, as the CLI's foreground run does.
import type { Container, Engine } from '../engine/index.js';

/** Long enough for a client's wait to read the code of a container already removed. */
const KEEP_EXIT_MS = 5 * 60_000;

export class Foreground {
  private readonly holds = new Map<string, number>();
  private readonly attaches = new Map<string, number>();
  private readonly exits = new Map<string, { code: number; at: number }>();
  private readonly starts = new Map<string, number>();
  private readonly drains = new Map<string, Set<() => void>>();

  /** A client attaches to or waits on `id`; call the returned function when it is done. */
  hold(id: string, kind: 'attach' | 'wait'): () => void {
    bump(this.holds, id, 1);
    if (kind === 'attach') bump(this.attaches, id, 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      bump(this.holds, id, -1);
      if (kind !== 'attach' || bump(this.attaches, id, -1) > 0) return;
      for (const f of this.drains.get(id) ?? []) f();
      this.drains.delete(id);
    };
  }

  held(id: string): boolean {
    return (this.holds.get(id) ?? 0) > 0;
  }

  /** How many times the server has started `id`: an attach waiting for a start watches this. */
  startCount(id: string): number {
    return this.starts.get(id) ?? 0;
  }

  exitOf(id: string): number | undefined {
    const now = Date.now();
    for (const [k, v] of this.exits) if (now - v.at > KEEP_EXIT_MS) this.exits.delete(k);
    return this.exits.get(id)?.code;
  }

  /** Starts a container, attached when a client holds it; then collects its exit in the background. */
  async start(engine: Engine, id: string): Promise<Container> {
    const owned = this.held(id);
    let c: Container;
    try {
      // A client waiting on conmon's attach socket (a terminal, an open stdin) is connected first.
      const waiting = owned ? (await import('./attach-conmon.js')).takeWaiting(id) : [];
      c = waiting.length > 0
        ? await (await import('./attach-conmon.js')).startForWaiting(engine, id, waiting)
        : await engine.containers.start(id, { attached: owned });
    } catch (e) {
      // As dockerd: an AutoRemove container that could not start is removed, so that a client
      // waiting for "removed" (docker run --rm) gets its answer; the start's error is the one reported.
      const x = await engine.containers.get(id).catch(() => undefined);
      if (x?.spec.autoRemove && x.status !== 'running') {
        this.exits.set(id, { code: (e as { exitCode?: number }).exitCode ?? 125, at: Date.now() });
        await engine.containers.remove(id, { force: true }).catch(() => undefined);
      }
      throw e;
    }
    this.starts.set(id, this.startCount(id) + 1);
    if (owned) void this.collect(engine, c).catch(() => {/* removed by someone else meanwhile */});
    return c;
  }

  private async collect(engine: Engine, c: Container): Promise<void> {
    const done = await engine.containers.wait(c.id);
    this.exits.set(c.id, { code: done.exitCode ?? 255, at: Date.now() });
    if (!done.spec.autoRemove) return;
    // The attached clients read the output from the container's log: remove it once they are
    // done with it (a client that stalls gets a few seconds, not forever).
    if ((this.attaches.get(c.id) ?? 0) > 0) await this.drained(c.id, 5000);
    await engine.containers.removeIfExited(c.id);
  }

  private drained(id: string, maxMs: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, maxMs);
      const set = this.drains.get(id) ?? new Set();
      set.add(() => {
        clearTimeout(t);
        resolve();
      });
      this.drains.set(id, set);
    });
  }
}

function bump(m: Map<string, number>, id: string, by: number): number {
  const n = (m.get(id) ?? 0) + by;
  if (n > 0) m.set(id, n);
  else m.delete(id);
  return n;
}
