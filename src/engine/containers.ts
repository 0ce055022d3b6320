// The container lifecycle, one concept a file (records, create, start, finalize, stop, remove,
// the exit callback); this module gathers what the rest of the engine uses.
export { createContainer } from './container-create.js';
export { onContainerExit, restartContainer } from './container-exit.js';
export { finalize, releaseResources, initAlive, waitForExit, waitForExitFile, reconcileOne, reconcileAll, checkExit, waitContainer,
  reconcileRef } from './container-finalize.js';
export { lookup, listContainers, reload } from './container-records.js';
export type { Container } from './container-records.js';
export { removeContainer, removeLocked, removeIfExited, removeOnExit } from './container-remove.js';
export { startContainer, startLocked } from './container-start.js';
export { stopContainer, stopLocked, killContainer } from './container-stop.js';
