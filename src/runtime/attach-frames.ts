// conmon's attach protocol (conmon src/ctr_stdio.c, conn_sock.c): each SOCK_SEQPACKET message
// from conmon is one read of the container's output, its first byte naming the pipe (2 stdout,
// 3 stderr; a terminal's output comes as stdout). What the client sends is the container's
// stdin, raw; shutting down the write side closes it (unless conmon keeps it open).
// Resizes go through the bundle's `ctl` fifo as "1 HEIGHT WIDTH\n".

export type AttachStream = 'stdout' | 'stderr';

export const STDOUT_PIPE = 2;
export const STDERR_PIPE = 3;
/** conmon reads the container's pipes 8192 bytes at a time and adds the pipe byte. */
export const MAX_MESSAGE = 8192 + 1;
const WIN_RESIZE_EVENT = 1;

/** One message from conmon; null for a pipe byte this protocol does not know. */
export function parseAttachMessage(msg: Buffer): { stream: AttachStream; data: Buffer } | null {
  if (msg.length === 0) return null;
  const pipe = msg[0];
  if (pipe === STDOUT_PIPE) return { stream: 'stdout', data: msg.subarray(1) };
  if (pipe === STDERR_PIPE) return { stream: 'stderr', data: msg.subarray(1) };
  return null;
}

/** The ctl fifo line that resizes the container's terminal. */
export function resizeLine(height: number, width: number): string {
  const h = Math.max(0, Math.trunc(height));
  const w = Math.max(0, Math.trunc(width));
  return `${WIN_RESIZE_EVENT} ${h} ${w}\n`;
}
