// One error type for everything a user can cause. Bugs stay plain Errors, so the CLI can
// tell "you asked for something wrong" (one line, exit 125) from "berth is broken" (trace).

export type ErrorKind =
  | 'NotFound'
  | 'AlreadyExists'
  | 'InvalidArgument'
  | 'Conflict'
  | 'Unavailable'
  | 'Corrupt'
  | 'Internal';

// The short-command bundle runs the large commands (compose, serve, kube, build) from a second
// bundle with classes of its own (build.mjs): errors are known by this mark, not by their class.
const BRAND = Symbol.for('berth.BerthError');

export class BerthError extends Error {
  readonly [BRAND] = true;
  readonly kind: ErrorKind;
  /** Stable machine-readable code, e.g. "container.not_found". Part of the contract. */
  readonly code: string;
  readonly hint: string | undefined;
  /** Process exit code the CLI uses; 125 unless the error is about the container's command. */
  readonly exitCode: number;

  constructor(kind: ErrorKind, code: string, message: string, opts: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BerthError';
    this.kind = kind;
    this.code = code;
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? 125;
  }
}

export const notFound = (code: string, msg: string, hint?: string) => new BerthError('NotFound', code, msg, hint === undefined ? {} : { hint });
export const invalid = (code: string, msg: string, hint?: string) => new BerthError('InvalidArgument', code, msg, hint === undefined ? {} : { hint });
export const conflict = (code: string, msg: string, hint?: string) => new BerthError('Conflict', code, msg, hint === undefined ? {} : { hint });
export const exists = (code: string, msg: string, hint?: string) => new BerthError('AlreadyExists', code, msg, hint === undefined ? {} : { hint });
export const unavailable = (code: string, msg: string, hint?: string) => new BerthError('Unavailable', code, msg, hint === undefined ? {} : { hint });
export const corrupt = (code: string, msg: string, hint?: string) => new BerthError('Corrupt', code, msg, hint === undefined ? {} : { hint });

export function isBerthError(e: unknown): e is BerthError {
  return typeof e === 'object' && e !== null && (e as { [BRAND]?: unknown })[BRAND] === true;
}
