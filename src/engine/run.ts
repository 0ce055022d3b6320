// create + start as one operation with its rollback, written once for every front: a container
// whose start fails is removed again, so a failed run leaves no record, layer or address.
import { createContainer, removeContainer, startContainer, type Container } from './containers.js';
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
