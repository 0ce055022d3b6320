// exec: POST /containers/{id}/exec records what to run; POST /exec/{id}/start runs it with its
// output multiplexed (upgraded for the docker CLI, plain for clients that do not upgrade);
// GET /exec/{id}/json reports it, with ExitCode final once the stream has closed.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { badRequest, ApiError } from './errors.js';
import { frame, MULTIPLEXED, RAW } from './framing.js';
import type { AttachSession } from '../engine/index.js';
import { parseJson, readJson, sendJson } from './http.js';
import type { Call, Route } from './router.js';

interface ExecRecord {
  id: string;
  containerId: string;
  args: string[];
  env: string[];
  workdir?: string;
  user?: string;
  attachStdin: boolean;
  tty: boolean;
  /** While a terminal exec runs: its session, for /exec/{id}/resize. */
  session?: AttachSession;
  attachStdout: boolean;
  attachStderr: boolean;
  running: boolean;
  started: boolean;
  exitCode: number | null;
  createdAt: number;
}

/** Execs live as long as the server; Docker too forgets them when its container goes. */
const execs = new Map<string, ExecRecord>();
const MAX_EXECS = 1000;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function strings(v: unknown, what: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw badRequest(`${what} must be a list of strings`);
  return v;
}

function optStr(o: Obj, k: string): string | undefined {
  const v = o[k];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw badRequest(`${k} must be a string`);
  return v;
}

async function create(c: Call): Promise<void> {
  const ctr = await c.engine.containers.get(c.params.id!);
  const body = await readJson(c.req);
  if (!isObj(body)) throw badRequest('the request body must be an object');
  const args = strings(body.Cmd, 'Cmd');
  if (!args || args.length === 0) throw badRequest('No exec command specified');
  if (body.Privileged === true) throw badRequest('privileged execs are not supported');
  if (ctr.status !== 'running') throw new ApiError(409, `container ${ctr.id} is not running`);
  for (const [k, v] of execs) if (Date.now() - v.createdAt > 3_600_000 && !v.running) execs.delete(k);
  if (execs.size >= MAX_EXECS) throw new ApiError(500, 'too many execs at once');
  const rec: ExecRecord = {
    id: randomBytes(32).toString('hex'),
    containerId: ctr.id,
    args,
    env: strings(body.Env, 'Env') ?? [],
    attachStdin: body.AttachStdin === true,
    tty: body.Tty === true,
    attachStdout: body.AttachStdout !== false,
    attachStderr: body.AttachStderr !== false,
    running: false,
    started: false,
    exitCode: null,
    createdAt: Date.now(),
  };
  const wd = optStr(body, 'WorkingDir');
  if (wd) rec.workdir = wd;
  const user = optStr(body, 'User');
  if (user) rec.user = user;
  execs.set(rec.id, rec);
  sendJson(c.res, 201, { Id: rec.id });
}

function lookup(id: string): ExecRecord {
  const rec = execs.get(id);
  if (!rec) throw new ApiError(404, `No such exec instance: ${id}`);
  return rec;
}

async function startBody(c: Call): Promise<{ rec: ExecRecord; detach: boolean }> {
  const rec = lookup(c.params.id!);
  const body = c.body !== undefined ? parseJson(c.body) : await readJson(c.req);
  if (!isObj(body)) throw badRequest('the request body must be an object');
  if (rec.started) throw new ApiError(409, `exec ${rec.id} has already run`);
  return { rec, detach: body.Detach === true };
}

/** Runs the exec, handing its framed output to `write`; the record's ExitCode is set before this resolves. */
async function run(c: Call, rec: ExecRecord, write: (b: Buffer) => void, input?: NodeJS.ReadableStream): Promise<void> {
  rec.started = true;
  rec.running = true;
  try {
    rec.exitCode = await c.engine.containers.execCapture(rec.containerId, {
      args: rec.args,
      env: rec.env,
      ...(rec.workdir ? { workdir: rec.workdir } : {}),
      ...(rec.user ? { user: rec.user } : {}),
      ...(input ? { input } : {}),
    }, {
      stdout: (b) => {
        if (rec.attachStdout) write(frame(1, b));
      },
      stderr: (b) => {
        if (rec.attachStderr) write(frame(2, b));
      },
    });
  } catch (e) {
    // A command that cannot be run: the BerthError carries Docker's 126/127.
    rec.exitCode = (e as { exitCode?: number }).exitCode ?? 126;
    write(frame(2, `${(e as Error).message}\n`));
  } finally {
    rec.running = false;
  }
}

async function start(c: Call): Promise<void> {
  const { rec, detach } = await startBody(c);
  if (detach) {
    void run(c, rec, () => {});
    c.res.writeHead(200, { 'Content-Type': 'application/json' });
    c.res.end();
    return;
  }
  c.res.writeHead(200, { 'Content-Type': MULTIPLEXED });
  c.res.flushHeaders();
  await run(c, rec, (b) => c.res.write(b));
  c.res.end();
}

export async function startUpgraded(c: Call, socket: Socket): Promise<void> {
  const { rec } = await startBody(c);
  if (rec.tty) return startTerminal(c, socket, rec);
  socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${MULTIPLEXED}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
  // The client's bytes are the process's stdin; its half-close ends that stdin, not the stream.
  const input = rec.attachStdin ? new PassThrough() : undefined;
  socket.on('data', (d: Buffer) => input?.write(d));
  socket.on('end', () => input?.end());
  await run(c, rec, (b) => {
    if (!socket.destroyed) socket.write(b);
  }, input);
  socket.end();
}

/** docker exec -it: the process on a pty held by conmon, its output raw, the client's bytes its input. */
async function startTerminal(c: Call, socket: Socket, rec: ExecRecord): Promise<void> {
  rec.started = true;
  rec.running = true;
  try {
    const { session, exitCode } = await c.engine.containers.execAttached(rec.containerId, {
      args: rec.args,
      env: rec.env,
      tty: true,
      stdin: rec.attachStdin,
      ...(rec.workdir ? { workdir: rec.workdir } : {}),
      ...(rec.user ? { user: rec.user } : {}),
    }, { stdin: rec.attachStdin, detachKeys: '' });
    rec.session = session;
    socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${RAW}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
    session.stdout.on('data', (d: Buffer) => {
      if (!socket.destroyed) socket.write(d);
    });
    socket.on('data', (d: Buffer) => session.write(d));
    socket.on('close', () => session.detach());
    await session.done;
    rec.exitCode = await exitCode;
  } catch (e) {
    rec.exitCode = (e as { exitCode?: number }).exitCode ?? 126;
    throw e;
  } finally {
    rec.running = false;
    delete rec.session;
  }
  socket.end();
}

async function inspect(c: Call): Promise<void> {
  const rec = lookup(c.params.id!);
  sendJson(c.res, 200, {
    ID: rec.id,
    ContainerID: rec.containerId,
    Running: rec.running,
    ExitCode: rec.exitCode,
    OpenStdin: rec.attachStdin,
    OpenStdout: rec.attachStdout,
    OpenStderr: rec.attachStderr,
    CanRemove: false,
    DetachKeys: '',
    Pid: 0,
    ProcessConfig: { entrypoint: rec.args[0], arguments: rec.args.slice(1), tty: rec.tty, privileged: false, user: rec.user ?? '' },
  });
}

async function resize(c: Call): Promise<void> {
  const rec = lookup(c.params.id!);
  const h = Number(c.query.get('h') ?? 0);
  const w = Number(c.query.get('w') ?? 0);
  if (Number.isInteger(h) && Number.isInteger(w)) rec.session?.resize(h, w);
  c.res.writeHead(200);
  c.res.end();
}

export const execRoutes: Route[] = [
  ['POST', '/containers/{id}/exec', create],
  ['POST', '/exec/{id}/start', start],
  ['POST', '/exec/{id}/resize', resize],
  ['GET', '/exec/{id}/json', inspect],
];
