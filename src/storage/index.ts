// What storage/ offers the engine: layer unpacking and overlay snapshot descriptions.
export { unpackLayer, digestLayer, type UnpackResult } from './unpack.js';
export { prepareSnapshot, removeSnapshot, snapshotPaths, type PreparedSnapshot, type SnapshotPaths } from './overlay.js';
