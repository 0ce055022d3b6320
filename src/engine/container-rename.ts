// rename: a new name for a container, running or not. The id, and so every kernel object named
// from it, stays; only the record changes.
import { exists } from '../common/errors.js';
import { validateName } from '../common/ids.js';
import { tx } from '../state/db.js';
import { nameTaken } from '../state/containers.js';
import { renameContainerRow } from '../state/container-edits.js';
import { lockContainer } from './lock.js';
import type { EngineContext } from './context.js';
import { type Container, lookup, reload } from './container-records.js';

export function renameContainer(ctx: EngineContext, ref: string, newName: string): Container {
  const name = validateName('container', newName.replace(/^\//, ''));
  const c0 = lookup(ctx, ref);
  const lock = lockContainer(ctx, c0.id);
  try {
    const c = reload(ctx, c0.id);
    if (c.name === name) throw exists('container.name_in_use', `renaming a container with the same name as its current name: ${name}`);
    tx(ctx.db, () => {
      if (nameTaken(ctx.db, name))
        throw exists('container.name_in_use', `the container name "${name}" is already in use`, 'choose another name, or remove that container');
      renameContainerRow(ctx.db, c.id, name);
    });
    return reload(ctx, c.id);
  } finally {
    lock.release();
  }
}
