// Tables and JSON for the terminal. Commands return data; these print it.
import { writeSync } from 'node:fs';

/**
 * Docker-style table: columns padded to the widest cell, three spaces apart, and at least
 * minWidth wide (Docker's tabwriter for --format tables has 10).
 */
export function table(headers: string[], rows: string[][], minWidth = 0): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(Math.max(widths[i]! + 3, minWidth)))).join('').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** What every listing's --format help says it takes (list-format.ts runs it). */
export const FORMAT_HELP = 'table, json (one object a line), or a Go template (docs/format.md)';

/** inspect's -f. */
export const INSPECT_FORMAT = { long: 'format', short: 'f', type: 'string', description: 'format output using a Go template (docs/format.md)' } as const;

export function json(v: unknown): string {
  return JSON.stringify(v, null, 4) + '\n';
}

/**
 * Writes to standard output at once. A direct write(2) spares the few milliseconds Node takes to
 * build process.stdout; a non-blocking descriptor that is full falls back to the stream.
 */
export function out(s: string): void {
  const buf = Buffer.from(s);
  let off = 0;
  try {
    while (off < buf.length) off += writeSync(1, buf, off);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // The reader went away (`berth ps | head -1`): stop quietly with the status a program killed by
    // SIGPIPE has in the shell, as docker and podman do; Node ignores SIGPIPE itself.
    if (code === 'EPIPE') process.exit(128 + 13);
    if (code !== 'EAGAIN') throw e;
    process.stdout.write(buf.subarray(off));
  }
}

export function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** inspect's output: the documents as a JSON array, or each through a --format template. */
export async function printDocs(docs: unknown[], format: string | undefined): Promise<void> {
  if (format === undefined) {
    out(json(docs));
    return;
  }
  const { formatTemplate } = await import('./template.js');
  for (const d of docs) out(`${formatTemplate(format, d)}\n`);
}
