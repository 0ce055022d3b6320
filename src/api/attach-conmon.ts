// The hijacked attach of a container with a terminal or an open stdin (docker run -it, docker
// attach, dockerode with hijack and stdin): a session on conmon's attach socket, raw for a
// terminal, multiplexed otherwise. The client's bytes are the container's stdin, its half-close
// ends that stdin (not the stream), and the stream closes when the process exits.
//
// The docker CLI attaches before it starts the container. Such an attach waits here until the
// server's own start (Foreground.start) takes it and starts the container with the session
// connected first, so nothing the process writes before the client is there is lost.
import type { Socket } from 'node:net';
import { parseDetachKeys, type AttachSession, type Container, type Engine } from '../engine/index.js';
import { frame, MULTIPLEXED, RAW } from './framing.js';
import { qBool, qInt, qStr } from './http.js';
import { badRequest } from './errors.js';
import type { Call, Route } from './router.js';

interface Waiting {
  stdin: boolean;
  detachKeys?: string;
  give: (s: AttachSession) => void;
  fail: (e: unknown) => void;
}

const waiting = new Map<string, Waiting[]>();

/** Foreground.start's question: does a client wait to be attached to this start? */
export function takeWaiting(id: string): Waiting[] {
  const w = waiting.get(id) ?? [];
  waiting.delete(id);
  return w;
}

/** Starts `id` with every waiting client's session connected before the process runs. */
export async function startForWaiting(engine: Engine, id: string, clients: Waiting[]): Promise<Container> {
  const first = clients[0]!;
  try {
    const { container, session } = await engine.containers.startAttached(id, {
      stdin: first.stdin,
      ...(first.detachKeys !== undefined ? { detachKeys: first.detachKeys } : {}),
    });
    first.give(session);
    // Later clients of the same start attach to the running container, as a second docker attach would.
    for (const w of clients.slice(1)) {
      engine.containers.attach(id, { stdin: w.stdin, ...(w.detachKeys !== undefined ? { detachKeys: w.detachKeys } : {}) }).then(w.give, w.fail);
    }
    return container;
  } catch (e) {
    for (const w of clients) w.fail(e);
    throw e;
  }
}

export async function conmonAttachUpgraded(c: Call, socket: Socket, x: Container): Promise<void> {
  const stdin = qBool(c.query, 'stdin');
  const want = { stdout: qBool(c.query, 'stdout'), stderr: qBool(c.query, 'stderr') };
  const dk = qStr(c.query, 'detachKeys');
  const opts = { stdin, stdout: want.stdout, stderr: want.stderr, ...(dk !== undefined ? { detachKeys: dk } : {}) };
  // Checked before the 101, so that bad keys are a 400 the client can print.
  if (dk !== undefined) parseDetachKeys(dk);
  const release = c.fg.hold(x.id, 'attach');
  try {
    let session: AttachSession;
    if (x.status === 'running') {
      session = await c.engine.containers.attach(x.id, opts);
      socket.write(upgraded(x.spec.tty === true));
    } else {
      // 101 at once: the client starts the container only after its attach is answered.
      socket.write(upgraded(x.spec.tty === true));
      session = await new Promise<AttachSession>((give, fail) => {
        const list = waiting.get(x.id) ?? [];
        const me: Waiting = { stdin, ...(dk !== undefined ? { detachKeys: dk } : {}), give, fail };
        list.push(me);
        waiting.set(x.id, list);
        c.signal.addEventListener('abort', () => {
          const l = waiting.get(x.id)?.filter((w) => w !== me) ?? [];
          if (l.length > 0) waiting.set(x.id, l);
          else waiting.delete(x.id);
          fail(new Error('client gone'));
        }, { once: true });
      });
    }
    await pump(session, socket, want);
  } catch {
    // The client went away before a start, or the start failed (the start's caller hears why).
  } finally {
    release();
    if (!socket.destroyed) socket.end();
  }
}

function upgraded(tty: boolean): string {
  return `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${tty ? RAW : MULTIPLEXED}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`;
}

async function pump(session: AttachSession, socket: Socket, want: { stdout: boolean; stderr: boolean }): Promise<void> {
  const send = (id: 1 | 2, d: Buffer) => {
    if (socket.destroyed) return;
    socket.write(session.tty ? d : frame(id, d));
  };
  session.stdout.on('data', (d: Buffer) => {
    if (want.stdout) send(1, d);
  });
  session.stderr.on('data', (d: Buffer) => {
    if (want.stderr) send(2, d);
  });
  socket.on('data', (d: Buffer) => session.write(d));
  socket.on('end', () => session.endStdin());
  // A client that leaves detaches: the container runs on.
  socket.on('close', () => session.detach());
  const ended = Promise.all([once(session.stdout), once(session.stderr)]);
  await session.done;
  await ended;
}

function once(s: NodeJS.ReadableStream): Promise<void> {
  return new Promise((r) => {
    s.on('end', r);
    s.on('error', r);
  });
}

/** POST /containers/{id}/resize?h=&w=: the terminal's new size, through conmon's ctl fifo. */
async function resize(c: Call): Promise<void> {
  const h = qInt(c.query, 'h') ?? 0;
  const w = qInt(c.query, 'w') ?? 0;
  if (h < 0 || w < 0 || h > 65535 || w > 65535) throw badRequest('h and w must be between 0 and 65535');
  await c.engine.containers.resize(c.params.id!, { height: h, width: w });
  c.res.writeHead(200);
  c.res.end();
}

export const attachRoutes: Route[] = [['POST', '/containers/{id}/resize', resize]];
