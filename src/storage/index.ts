// What storage/ offers the engine: layer unpacking and overlay snapshot descriptions.
export { prepareSnapshot, removeSnapshot, snapshotPaths, type PreparedSnapshot, type SnapshotPaths } from './overlay.js';
export { unpackLayer, digestLayer, type UnpackResult } from './unpack.js';
