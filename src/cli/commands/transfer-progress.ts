// Progress of blob transfers on stderr: one live bar per blob on a terminal, plain lines otherwise.
import { humanSize } from '../../common/units.js';
import type { TransferProgress } from '../../engine/index.js';

const short = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);

export function plainProgress(verb: 'Copying' | 'Pushing', write = (s: string) => process.stderr.write(s)): TransferProgress {
  return {
    start(d, total) {
      write(`${verb} blob ${short(d)} (${humanSize(total)})\n`);
    },
    advance() {},
    done(d, how) {
      write(`${verb} blob ${short(d)} ${how === 'done' ? 'done' : how === 'exists' ? 'skipped: already exists' : 'mounted'}\n`);
    },
    message(t) {
      write(`${t}\n`);
    },
  };
}

interface Row {
  digest: string;
  total: number;
  got: number;
  state: string;
}

export function ttyProgress(verb: 'Copying' | 'Pushing', stream: NodeJS.WriteStream = process.stderr): TransferProgress & { finish(): void } {
  const rows: Row[] = [];
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  const width = () => Math.max(10, Math.min(40, (stream.columns ?? 80) - 60));
  const line = (r: Row) => {
    const frac = r.total > 0 ? Math.min(1, r.got / r.total) : r.state ? 1 : 0;
    const n = Math.round(frac * width());
    const bar = `[${'='.repeat(n)}${n < width() ? '>' : ''}${' '.repeat(Math.max(0, width() - n - 1))}]`;
    return `${verb} blob ${short(r.digest)} ${r.state || `${bar} ${humanSize(r.got)} / ${humanSize(r.total)}`}`;
  };
  const draw = () => {
    timer = undefined;
    let s = drawn > 0 ? `\x1b[${drawn}A` : '';
    for (const r of rows) s += `\r\x1b[2K${line(r)}\n`;
    drawn = rows.length;
    stream.write(s);
  };
  const soon = () => {
    timer ??= setTimeout(draw, 100);
  };
  const row = (d: string) => rows.find((r) => r.digest === d);
  return {
    start(d, total) {
      if (!row(d)) rows.push({ digest: d, total, got: 0, state: '' });
      soon();
    },
    advance(d, bytes) {
      const r = row(d);
      if (r) r.got += bytes;
      soon();
    },
    done(d, how) {
      const r = row(d);
      if (r) {
        r.got = r.total;
        r.state = how === 'done' ? 'done' : how === 'exists' ? 'skipped: already exists' : 'mounted';
      }
      soon();
    },
    message(t) {
      if (timer) {
        clearTimeout(timer);
        draw();
      }
      stream.write(`${t}\n`);
      drawn = 0;
      rows.length = 0;
    },
    finish() {
      if (timer) {
        clearTimeout(timer);
        draw();
      }
    },
  };
}

/** The progress a transfer shows: bars on a terminal, lines otherwise, nothing with --quiet. */
export function progressFor(verb: 'Copying' | 'Pushing', quiet: boolean): { progress: TransferProgress | undefined; finish(): void } {
  if (quiet) return { progress: undefined, finish() {} };
  if (process.stderr.isTTY) {
    const p = ttyProgress(verb);
    return { progress: p, finish: () => p.finish() };
  }
  return { progress: plainProgress(verb), finish() {} };
}
