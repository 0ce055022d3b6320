// Docker's detach keys: "ctrl-p,ctrl-q" by default, each key a letter, ctrl-<letter>, or one of
// ctrl-@ ctrl-[ ctrl-\ ctrl-] ctrl-^ ctrl-_. The scanner sits on the client's stdin: bytes that
// begin the sequence are held back until it is complete (detach) or broken (sent on, as typed).
import { invalid } from './errors.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** The bytes of a detach-key sequence; an empty string means none (detaching is off). */
export function parseDetachKeys(spec: string): Buffer {
  if (spec === '') return Buffer.alloc(0);
  const out: number[] = [];
  for (const key of spec.split(',')) {
    const k = key.trim();
    const ctrl = /^ctrl-(.)$/i.exec(k);
    if (ctrl) {
      const ch = ctrl[1]!;
      const lower = ch.toLowerCase();
      if (lower >= 'a' && lower <= 'z') out.push(lower.charCodeAt(0) - 96);
      else if ('@[\\]^_'.includes(ch)) out.push(ch.charCodeAt(0) - 64);
      else throw badKeys(spec);
    } else if (k.length === 1) {
      out.push(k.charCodeAt(0));
    } else {
      throw badKeys(spec);
    }
  }
  return Buffer.from(out);
}

function badKeys(spec: string) {
  return invalid('attach.bad_detach_keys', `invalid detach keys (${spec}) provided`, 'use keys such as ctrl-p,ctrl-q or ctrl-a,d');
}

/** Feeds stdin through the detach sequence: what to forward, and whether the user detached. */
export class DetachScanner {
  private held = 0;
  constructor(private readonly keys: Buffer) {}

  push(chunk: Buffer): { forward: Buffer; detached: boolean } {
    if (this.keys.length === 0) return { forward: chunk, detached: false };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.held]) {
        this.held++;
        if (this.held === this.keys.length) {
          // Docker drops what followed the sequence in the same read, as the user has left.
          this.held = 0;
          return { forward: Buffer.from(out), detached: true };
        }
        continue;
      }
      // A broken sequence: the held keys were typed for the container after all.
      for (let i = 0; i < this.held; i++) out.push(this.keys[i]!);
      this.held = 0;
      if (byte === this.keys[0]) this.held = 1;
      else out.push(byte);
    }
    return { forward: Buffer.from(out), detached: false };
  }
}
