// Reads conmon's k8s-file logs: "<RFC3339Nano> <stdout|stderr> <F|P> <text>" per line, where
// P marks a partial line that the next record continues.
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';

export interface LogRecord {
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
  partial: boolean;
}

export function parseLogLine(line: string): LogRecord | null {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  if (a < 0 || b < 0) return null;
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return null;
  const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  return { time: line.slice(0, a), stream, partial: tag === 'P', text: c < 0 ? '' : line.slice(c + 1) };
}

/** Incremental reader: returns the complete records appended since the last call. */
export class LogFollower {
  private offset = 0;
  private carry = '';
  constructor(private readonly path: string) {}

  read(): LogRecord[] {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return [];
    }
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) {
        this.offset = 0;
        this.carry = '';
      } // rotated
      if (size === this.offset) return [];
      const buf = Buffer.alloc(size - this.offset);
      readSync(fd, buf, 0, buf.length, this.offset);
      this.offset = size;
      const text = this.carry + buf.toString('utf8');
      const lines = text.split('\n');
      this.carry = lines.pop() ?? '';
      return lines.map(parseLogLine).filter((r): r is LogRecord => r !== null);
    } finally {
      closeSync(fd);
    }
  }
}

/** Renders records as the container wrote them: partial records join the next one. */
export function renderRecords(records: LogRecord[], opts: { timestamps: boolean }): { stream: 'stdout' | 'stderr'; text: string }[] {
  const outp: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  for (const r of records) {
    const prefix = opts.timestamps ? `${r.time} ` : '';
    outp.push({ stream: r.stream, text: r.partial ? `${prefix}${r.text}` : `${prefix}${r.text}\n` });
  }
  return outp;
}
