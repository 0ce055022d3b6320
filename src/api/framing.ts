// Docker's stream framing for a container without a TTY: each chunk is preceded by eight bytes,
// the stream (0 stdin, 1 stdout, 2 stderr), three zeros, and the payload's length (big-endian).
// The docker CLI and the SDKs demultiplex on exactly this.

export type StreamId = 0 | 1 | 2;

export const MULTIPLEXED = 'application/vnd.docker.multiplexed-stream';
export const RAW = 'application/vnd.docker.raw-stream';

/** One frame; payloads above 4 GiB cannot occur (a log line is read whole, far below that). */
export function frame(stream: StreamId, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

/** The inverse, for tests and for clients' stdin: complete frames, and what is left over. */
export function parseFrames(buf: Buffer): { frames: { stream: number; payload: Buffer }[]; rest: Buffer } {
  const frames: { stream: number; payload: Buffer }[] = [];
  let off = 0;
  while (buf.length - off >= 8) {
    const len = buf.readUInt32BE(off + 4);
    if (buf.length - off - 8 < len) break;
    frames.push({ stream: buf[off]!, payload: buf.subarray(off + 8, off + 8 + len) });
    off += 8 + len;
  }
  return { frames, rest: buf.subarray(off) };
}
