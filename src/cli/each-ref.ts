// Verbs that take several objects (rm, stop, pause, volume rm, network rm, ...) act on each in
// turn, as Docker does: each success prints the name, each failure a line on stderr, and the
// exit code is 125 if any failed. With a single object its error is the command's own.
import { out } from './render.js';

export async function eachRef(refs: readonly string[], fn: (ref: string) => Promise<string> | string): Promise<number> {
  let rc = 0;
  for (const ref of refs) {
    try {
      out(`${await fn(ref)}\n`);
    } catch (e) {
      if (refs.length === 1) throw e;
      process.stderr.write(`berth: ${(e as Error).message}\n`);
      rc = 125;
    }
  }
  return rc;
}
