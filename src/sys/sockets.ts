// Which local ports this network namespace's sockets hold, read from /proc/net/{tcp,udp}{,6}
// without starting a program (`ss` costs a process start, about 5 ms, on every `run -p`).
import { closeSync, openSync, readSync } from 'node:fs';

/**
 * A few thousand sockets. After a load test, tens of thousands of TIME_WAIT lines took 50 ms to
 * read, far more than `ss`, which asks the kernel for listeners only: past this, callers ask ss.
 */
const MAX_BYTES = 512 * 1024;

/** The file's text; null when it is longer than maxBytes, undefined when it does not exist. */
function readCapped(path: string, maxBytes: number): string | null | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(64 * 1024);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return Buffer.concat(chunks, total).toString('latin1');
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > maxBytes) return null;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The local ports of listening TCP sockets (state 0A, what `ss -l -t` lists) or of bound,
 * unconnected UDP ones (state 07, what `ss -l -u` lists), IPv4 and IPv6. null when the tables
 * are longer than maxBytes.
 */
export function boundPortsFromProc(proto: 'tcp' | 'udp', maxBytes = MAX_BYTES): Set<number> | null {
  const state = proto === 'tcp' ? '0A' : '07';
  const out = new Set<number>();
  for (const file of [`/proc/net/${proto}`, `/proc/net/${proto}6`]) {
    const text = readCapped(file, maxBytes);
    if (text === null) return null;
    if (text === undefined) continue;
    for (const line of text.split('\n').slice(1)) {
      // "sl local_address rem_address st ...": local_address is HEXADDR:HEXPORT
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      if (!local || cols[3] !== state) continue;
      out.add(Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16));
    }
  }
  return out;
}
