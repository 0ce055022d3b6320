// The client side of conmon's attach socket (bundleDir/attach, SOCK_SEQPACKET) and its ctl fifo.
// Node's net module cannot open a SEQPACKET socket; node-unix-socket can (a Rust addon with
// prebuilt Linux binaries). It is used as a client only: its server side is known to abort the
// process when a socket closes. Loaded on first attach, so no other command pays for the addon.
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { unavailable } from '../common/errors.js';
import { MAX_MESSAGE, parseAttachMessage, resizeLine, type AttachStream } from './attach-frames.js';

type SeqpacketSocket = import('node-unix-socket').SeqpacketSocket;

export const ATTACH_SOCKET = 'attach';
export const CTL_FIFO = 'ctl';

function seqpacket(): typeof import('node-unix-socket').SeqpacketSocket {
  // A CommonJS package with a native addon: required by name, so the bundle leaves it outside.
  const req = createRequire(import.meta.url);
  return (req('node-unix-socket') as typeof import('node-unix-socket')).SeqpacketSocket;
}

export interface ConmonAttachEvents {
  output: [stream: AttachStream, data: Buffer];
  /** conmon closed the socket: the container's process has ended (or conmon is gone). */
  end: [];
}

/** What a session needs of a connection (a fake host hands its own). */
export interface AttachConnection {
  on<K extends keyof ConmonAttachEvents>(event: K, listener: (...args: ConmonAttachEvents[K]) => void): unknown;
  write(data: Buffer): void;
  closeStdin(): void;
  close(): void;
}

/** One attach connection. Emits `output` per message, then `end` exactly once. */
export class ConmonAttach extends EventEmitter<ConmonAttachEvents> implements AttachConnection {
  private ended = false;
  private stdinClosed = false;

  constructor(private readonly sock: SeqpacketSocket) {
    super();
    sock.on('data', (buf: Buffer) => {
      const m = parseAttachMessage(buf);
      if (m && m.data.length > 0) this.emit('output', m.stream, m.data);
    });
    sock.on('end', () => this.finish());
    sock.on('close', () => this.finish());
    sock.on('error', () => this.finish());
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.sock.destroy();
    } catch { /* already destroyed */ }
    this.emit('end');
  }

  get closed(): boolean {
    return this.ended;
  }

  /** The container's stdin; dropped once the stream has ended. */
  write(data: Buffer): void {
    if (this.ended || this.stdinClosed || data.length === 0) return;
    this.sock.write(data);
  }

  /** Half-close: conmon closes the container's stdin (unless told to leave it open). */
  closeStdin(): void {
    if (this.ended || this.stdinClosed) return;
    this.stdinClosed = true;
    this.sock.end();
  }

  /** Leaves the container running: conmon just drops this client. */
  close(): void {
    this.finish();
  }
}

/**
 * Connects to the attach socket of the container whose bundle is `bundleDir`. The path goes
 * through /proc/self/fd so that a deep --root never exceeds sun_path's 108 bytes.
 */
export function connectAttach(bundleDir: string): Promise<ConmonAttach> {
  const Sock = seqpacket();
  let dirFd: number;
  try {
    dirFd = openSync(bundleDir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (e) {
    return Promise.reject(unavailable('attach.no_socket', `cannot open the container's attach socket: ${(e as Error).message}`));
  }
  return new Promise((resolve, reject) => {
    const sock = new Sock();
    sock.setInternalReadBufferSize(MAX_MESSAGE * 4);
    const done = (err?: Error) => {
      try {
        closeSync(dirFd);
      } catch { /* closed */ }
      if (err) {
        try {
          sock.destroy();
        } catch { /* never connected */ }
        reject(unavailable('attach.connect_failed', `cannot connect to the container's attach socket: ${err.message}`));
      } else {
        resolve(new ConmonAttach(sock));
      }
    };
    sock.once('error', (e: Error) => done(e));
    try {
      sock.connect(`/proc/self/fd/${dirFd}/${ATTACH_SOCKET}`, () => {
        sock.removeAllListeners('error');
        done();
      });
    } catch (e) {
      done(e as Error);
    }
  });
}

/** Resizes the container's terminal through conmon's ctl fifo; false when conmon is not there. */
export function resizeTerminal(bundleDir: string, height: number, width: number): boolean {
  let fd: number;
  try {
    // Non-blocking: with no conmon holding the reading end, open fails instead of hanging.
    fd = openSync(join(bundleDir, CTL_FIFO), constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    writeSync(fd, resizeLine(height, width));
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
