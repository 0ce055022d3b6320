// create + start as one operation with its rollback, written once for every front: a container
// whose start fails is removed again, so a failed run leaves no record, layer or address.
import { invalid } from '../common/errors.js';
import { createContainer, removeContainer, runAttached, startContainer, type Container } from './containers.js';
import type { EngineContext } from './context.js';
import type { CreateRequest } from './types.js';

function removeQuietly(ctx: EngineContext, id: string): void {
  try {
    removeContainer(ctx, id, { force: true });
  } catch { /* the start's error is the one to report */ }
}

export async function runContainer(ctx: EngineContext, req: CreateRequest, opts: { attached?: boolean }): Promise<Container> {
  const c = createContainer(ctx, req);
  try {
    return await startContainer(ctx, c.id, opts);
  } catch (e) {
    removeQuietly(ctx, c.id);
    throw e;
  }
}

export async function runInteractive(ctx: EngineContext, req: CreateRequest, opts: { tty: boolean }): Promise<Container> {
  // Refused before anything is made.
  if (opts.tty && !process.stdin.isTTY) throw invalid('run.no_tty', 'the input device is not a TTY', 'drop -t when stdin is not a terminal');
  const c = createContainer(ctx, req);
  try {
    return await runAttached(ctx, c.id, opts);
  } catch (e) {
    removeQuietly(ctx, c.id);
    throw e;
  }
}
