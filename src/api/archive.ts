// /containers/{id}/archive, the docker CLI's cp: HEAD (and GET) answer the stat of a path in
// X-Docker-Container-Path-Stat, GET sends the path as a tar, PUT unpacks a tar into a directory.
// Paths are the client's and hostile: the engine resolves them inside the container's root and
// unpacks with the layer unpacker, which never writes through a link out of its destination.
import type { PathStat } from '../engine/index.js';
import { badRequest } from './errors.js';
import { qBool, qStr, sendEmpty } from './http.js';
import type { Call, Route } from './router.js';

// Go's os.FileMode: the type bits sit high, not where st_mode has them.
const S_IFMT = 0o170000;
const GO_TYPE: Record<number, number> = {
  0o040000: 2 ** 31, // directory
  0o120000: 2 ** 27, // symlink
  0o010000: 2 ** 25, // named pipe
  0o140000: 2 ** 24, // socket
  0o060000: 2 ** 26, // block device
  0o020000: 2 ** 26 + 2 ** 21, // character device
};

/** st_mode → Go's os.FileMode, which the docker CLI tests for ModeDir and ModeSymlink. */
export function goFileMode(mode: number): number {
  let m = (GO_TYPE[mode & S_IFMT] ?? 0) + (mode & 0o777);
  if (mode & 0o4000) m += 2 ** 23;
  if (mode & 0o2000) m += 2 ** 22;
  if (mode & 0o1000) m += 2 ** 20;
  return m;
}

export function statHeader(s: PathStat): string {
  const doc = { name: s.name, size: s.size, mode: goFileMode(s.mode), mtime: s.mtime.toISOString(), linkTarget: s.linkTarget };
  return Buffer.from(JSON.stringify(doc)).toString('base64');
}

function pathOf(c: Call): string {
  const p = qStr(c.query, 'path', 4096);
  if (p === undefined || p === '') throw badRequest('the path is missing (?path=)');
  if (p.includes('\0')) throw badRequest('the path contains a NUL byte');
  return p;
}

async function head(c: Call): Promise<void> {
  const s = await c.engine.containers.statPath(c.params.id!, pathOf(c));
  c.res.writeHead(200, { 'X-Docker-Container-Path-Stat': statHeader(s), 'Content-Type': 'application/x-tar' });
  c.res.end();
}

async function get(c: Call): Promise<void> {
  const path = pathOf(c);
  const s = await c.engine.containers.statPath(c.params.id!, path);
  c.res.writeHead(200, { 'X-Docker-Container-Path-Stat': statHeader(s), 'Content-Type': 'application/x-tar' });
  await c.engine.containers.copyFrom(c.params.id!, path, { stream: c.res }, { archive: true });
  if (!c.res.writableEnded) c.res.end();
}

async function put(c: Call): Promise<void> {
  const path = pathOf(c);
  // The docker CLI tars host files with their host owners; without -a (copyUIDGID) they become
  // the container's root's, as dockerd makes them.
  await c.engine.containers.copyTo(c.params.id!, { stream: c.req }, path, { archive: qBool(c.query, 'copyUIDGID') });
  sendEmpty(c.res, 200);
}

export const archiveRoutes: Route[] = [
  ['HEAD', '/containers/{id}/archive', head],
  ['GET', '/containers/{id}/archive', get],
  ['PUT', '/containers/{id}/archive', put],
];
