// POST /build: a tar context (plain or gzip) built by berth's builder, answered with the
// classic builder's JSON stream, which the docker CLI prints as it comes: {"stream": "Step 1/3 :
// FROM busybox\n"}, the RUN output, {"aux": {"ID": "sha256:…"}}, "Successfully built ID",
// "Successfully tagged NAME", and a failure as {"errorDetail": {"message"}, "error"} (the status
// is 200 by then). The context is unpacked into a private directory that is removed afterwards.
import { createWriteStream, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { open } from 'node:fs/promises';
import type { PullPolicy } from '../engine/index.js';
import { checkContext, dockerfileIn } from './build-context.js';
import { ApiError, badRequest, toReply } from './errors.js';
import { qBool, qStr } from './http.js';
import type { Call, Route } from './router.js';

/** A context larger than this is refused while it comes in. */
const CONTEXT_LIMIT = 16 * 1024 ** 3;

function jsonMap(c: Call, key: string): Record<string, string> {
  const raw = qStr(c.query, key, 65536);
  if (raw === undefined || raw === '') return {};
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw badRequest(`${key} is not JSON`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw badRequest(`${key} must be a JSON object`);
  const out: Record<string, string> = {};
  // A build arg sent as null is one the client named without a value and found unset: none.
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (v === null) continue;
    if (typeof v !== 'string') throw badRequest(`${key}: ${k} must be a string`);
    out[k] = v;
  }
  return out;
}

interface BuildQuery {
  dockerfile: string | undefined;
  tags: string[];
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  target: string | undefined;
  noCache: boolean;
  pull: PullPolicy;
  network: 'none' | 'host';
  quiet: boolean;
}

export function buildQuery(c: Call): BuildQuery {
  const tags = c.query.getAll('t');
  for (const t of tags) if (t.length > 512 || t === '') throw badRequest(`invalid tag "${t}"`);
  const net = qStr(c.query, 'networkmode', 64) ?? '';
  // berth's builds run without a network unless asked for the host's; Docker's "default" is its
  // bridge, which a build here does not join.
  if (!['', 'default', 'none', 'host'].includes(net)) throw badRequest(`networkmode ${net}: a build runs with network none or host`);
  const remote = qStr(c.query, 'remote', 4096);
  if (remote) throw badRequest('remote build contexts are not supported: send the context as the body');
  for (const k of ['platform', 'extrahosts', 'cachefrom', 'squash', 'outputs']) {
    const v = qStr(c.query, k, 4096);
    if (v && v !== '[]' && v !== 'false' && v !== '0') throw badRequest(`build: ${k} is not supported by berth`);
  }
  const target = qStr(c.query, 'target', 256);
  return {
    dockerfile: qStr(c.query, 'dockerfile', 4096),
    tags,
    buildArgs: jsonMap(c, 'buildargs'),
    labels: jsonMap(c, 'labels'),
    target: target === '' ? undefined : target,
    noCache: qBool(c.query, 'nocache'),
    pull: qBool(c.query, 'pull') ? 'always' : 'missing',
    network: net === 'host' ? 'host' : 'none',
    quiet: qBool(c.query, 'q'),
  };
}

/** The builder's "STEP 1/3: FROM x" in the classic builder's words, "Step 1/3 : FROM x". */
export function classicLine(t: string): string {
  const m = /^STEP (\d+\/\d+): (.*)$/s.exec(t);
  if (m) return `Step ${m[1]} : ${m[2]}`;
  return t.replace(/^--> /, ' ---> ');
}

async function gzipped(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(2);
    await fh.read(b, 0, 2, 0);
    return b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

async function build(c: Call): Promise<void> {
  const q = buildQuery(c);
  const support = await c.engine.builder();
  const dir = support.stagingDir('api-build-');
  try {
    const archive = join(dir, 'context.tar');
    let size = 0;
    const cap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        done(size > CONTEXT_LIMIT ? new ApiError(413, 'build context too large') : null, chunk);
      },
    });
    await pipeline(c.req, cap, createWriteStream(archive, { mode: 0o600 }));
    const ctxDir = join(dir, 'context');
    mkdirSync(ctxDir, { mode: 0o700 });
    if (size > 0) await support.unpackArchive({ archive, compression: (await gzipped(archive)) ? 'gzip' : 'tar', dest: ctxDir });
    rmSync(archive, { force: true });
    checkContext(ctxDir);
    const file = dockerfileIn(ctxDir, q.dockerfile);

    c.res.writeHead(200, { 'Content-Type': 'application/json' });
    const send = (doc: unknown) => {
      if (!c.res.writableEnded) c.res.write(`${JSON.stringify(doc)}\r\n`);
    };
    const say = (t: string) => {
      if (!q.quiet) send({ stream: `${classicLine(t)}\n` });
    };
    try {
      const { buildImage } = await import('../builder/builder.js');
      const r = await buildImage(c.engine, {
        contextDir: ctxDir,
        file,
        ...(q.target !== undefined ? { target: q.target } : {}),
        tags: [],
        buildArgs: q.buildArgs,
        noCache: q.noCache,
        network: q.network,
        log: say,
        pull: q.pull,
      });
      let id = r.id;
      if (Object.keys(q.labels).length > 0) {
        // --label applies to the image built, as Docker's: a config-only image on top of it.
        const img = support.findImage(id);
        const labelled = await support.commitConfig({
          parent: id,
          config: { ...img.config, Labels: { ...(img.config.Labels ?? {}), ...q.labels } },
          createdBy: `LABEL ${Object.entries(q.labels).map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ')}`,
          configSteps: [],
        });
        id = labelled.id;
      }
      const names = q.tags.map((t) => support.tag(id, t));
      send({ aux: { ID: id } });
      // Quiet, dockerd's only stream line is the id, which the docker CLI prints as it is.
      if (q.quiet) send({ stream: `${id}\n` });
      say(`Successfully built ${id.replace(/^sha256:/, '').slice(0, 12)}`);
      for (const n of names) say(`Successfully tagged ${n}`);
    } catch (e) {
      const { message } = toReply(e);
      send({ errorDetail: { message }, error: message });
    }
    c.res.end();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const buildRoutes: Route[] = [['POST', '/build', build]];
