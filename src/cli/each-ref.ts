// Verbs that take several objects (rm, stop, pause, volume rm, network rm, ...) act on each in
// turn, as Docker does: each success prints the name, each failure a line on stderr, and the
// exit code is 125 if any failed. With a single object its error is the command's own.
import { isBerthError } from '../common/errors.js';
import { asSystemError, commandRoot } from '../common/system-errors.js';
import { out } from './render.js';

export async function eachRef(refs: readonly string[], fn: (ref: string) => Promise<string> | string): Promise<number> {
  let rc = 0;
  for (const ref of refs) {
    try {
      out(`${await fn(ref)}\n`);
    } catch (e) {
      if (refs.length === 1) throw e;
      // As main's own: a full disk in its one line, a bug called one.
      const m = asSystemError(e, commandRoot()) ?? e;
      process.stderr.write(isBerthError(m) ? `berth: ${m.message}\n` : `berth: internal error: ${(m as Error)?.message ?? String(m)}\n`);
      rc = 125;
    }
  }
  return rc;
}
