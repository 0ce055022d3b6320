// Image routes: list, inspect, pull (POST /images/create, with Docker's JSON progress lines),
// remove and tag.
import { badRequest } from './errors.js';
import { toReply } from './errors.js';
import { qBool, qStr, sendEmpty, sendJson } from './http.js';
import type { Call, Route } from './router.js';
import { withClientAuth } from './images-transfer.js';

const LOOPBACK = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3})(:\d{1,5})?\//;
const unix = (iso: string) => Math.floor(Date.parse(iso) / 1000) || 0;

async function list(c: Call): Promise<void> {
  const rows = await c.engine.images.list({ all: qBool(c.query, 'all') });
  const byId = new Map<string, { id: string; created: string; size: number; tags: string[] }>();
  for (const r of rows) {
    const e = byId.get(r.id) ?? { id: r.id, created: r.created, size: r.size, tags: [] };
    if (r.repository !== '<none>') e.tags.push(`${r.repository}:${r.tag}`);
    byId.set(r.id, e);
  }
  sendJson(c.res, 200, [...byId.values()].map((e) => ({
    Id: e.id,
    ParentId: '',
    RepoTags: e.tags,
    RepoDigests: [],
    Created: unix(e.created),
    Size: e.size,
    VirtualSize: e.size,
    SharedSize: -1,
    Labels: {},
    Containers: -1,
  })));
}

async function inspect(c: Call): Promise<void> {
  const doc = await c.engine.images.inspect(c.params.name!);
  const cfg = doc.Config as unknown as Record<string, unknown>;
  sendJson(c.res, 200, {
    ...doc,
    Parent: '',
    Comment: '',
    Container: '',
    DockerVersion: '',
    Variant: '',
    VirtualSize: doc.Size,
    GraphDriver: { Name: 'overlay', Data: null },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
    Config: { ...cfg, Labels: cfg.Labels ?? {}, Image: '', Volumes: cfg.Volumes ?? null },
    // Gone from Docker's answer at 1.45 (berth's ceiling is 1.44); docker-compose 1.29 reads its
    // Volumes when it recreates a container.
    ContainerConfig: { ...cfg, Labels: cfg.Labels ?? {}, Image: '', Volumes: cfg.Volumes ?? null },
  });
}

/** Docker's pull: fromImage, optionally tag; the answer is a stream of JSON lines, errors included. */
async function pull(c: Call): Promise<void> {
  const from = qStr(c.query, 'fromImage', 512);
  if (!from) throw badRequest('fromImage is required (importing from fromSrc is not supported)');
  const tag = qStr(c.query, 'tag', 128) ?? '';
  if (tag !== '' && !/^[\w][\w.-]{0,127}$|^sha256:[0-9a-f]{64}$/.test(tag)) throw badRequest(`invalid tag "${tag}"`);
  const ref = tag === '' ? from : tag.startsWith('sha256:') ? `${from}@${tag}` : `${from}:${tag}`;
  c.res.writeHead(200, { 'Content-Type': 'application/json' });
  c.res.flushHeaders();
  const line = (o: unknown) => c.res.write(`${JSON.stringify(o)}\r\n`);
  line({ status: `Pulling from ${from}`, id: tag || 'latest' });
  try {
    // dockerd's default: registries on loopback are reached without TLS verification.
    const r = await withClientAuth(c, ref, (authFile) =>
      c.engine.images.pull(ref, { ...(LOOPBACK.test(ref) ? { tlsVerify: false } : {}), ...(authFile ? { authFile } : {}) }));
    line({ status: `Digest: ${r.manifestDigest}` });
    line({ status: `Status: Downloaded newer image for ${r.name ?? ref}` });
  } catch (e) {
    // The headers are gone: Docker reports a failed pull in the stream itself.
    const { message } = toReply(e);
    line({ errorDetail: { message }, error: message });
  }
  c.res.end();
}

async function remove(c: Call): Promise<void> {
  const r = await c.engine.images.remove(c.params.name!, { force: qBool(c.query, 'force') });
  sendJson(c.res, 200, [...r.untagged.map((u) => ({ Untagged: u })), ...r.deleted.map((d) => ({ Deleted: d }))]);
}

async function tag(c: Call): Promise<void> {
  const repo = qStr(c.query, 'repo', 512);
  if (!repo) throw badRequest('repo is required');
  const t = qStr(c.query, 'tag', 128) ?? '';
  await c.engine.images.tag(c.params.name!, t ? `${repo}:${t}` : repo);
  sendEmpty(c.res, 201);
}

export const imageRoutes: Route[] = [
  ['GET', '/images/json', list],
  ['POST', '/images/create', pull],
  ['GET', '/images/{name*}/json', inspect],
  ['POST', '/images/{name*}/tag', tag],
  ['DELETE', '/images/{name*}', remove],
];
