// Container records as the lifecycle reads them: one by a user's reference, all, or one again
// after a change.
import { conflict, notFound } from '../common/errors.js';
import { shortId } from '../common/ids.js';
import { allContainers, findContainers, getContainer, type ContainerRow } from '../state/containers.js';
import type { EngineContext } from './context.js';
import type { ContainerSpec } from './types.js';

export type Container = ContainerRow<ContainerSpec>;

/** Finds one container by name, full id or unique id prefix. */
export function lookup(ctx: EngineContext, ref: string): Container {
  const found = findContainers<ContainerSpec>(ctx.db, ref);
  if (found.length === 0) throw notFound('container.not_found', `no such container: ${ref}`);
  if (found.length > 1)
    throw conflict('container.ambiguous', `container reference "${ref}" matches ${found.length} containers`, 'use more characters of the id, or the name');
  return found[0]!;
}

export function listContainers(ctx: EngineContext): Container[] {
  return allContainers<ContainerSpec>(ctx.db);
}

export function reload(ctx: EngineContext, id: string): Container {
  const c = getContainer<ContainerSpec>(ctx.db, id);
  if (!c) throw notFound('container.not_found', `no such container: ${shortId(id)}`);
  return c;
}
