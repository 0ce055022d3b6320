// Docker's error shape for the API: {"message": …} with a status from the error's kind. Only
// berth's own errors (bad requests, unknown objects, conflicts) carry their message to the
// client; anything else is a bug in berth and is answered 500 "internal error".
import { isBerthError, BerthError, type ErrorKind } from '../common/errors.js';

const STATUS: Record<ErrorKind, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  InvalidArgument: 400,
  Unavailable: 500,
  Corrupt: 500,
  Internal: 500,
};

/** An error raised by the API itself about the request (a bad query, an unknown route). */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export const badRequest = (msg: string) => new ApiError(400, msg);

export interface ErrorReply {
  status: number;
  message: string;
}

/**
 * Docker's clients look for its words: the CLI's `docker run` pulls only when the create
 * answers 404 "No such image", and scripts match "No such container".
 */
export function toReply(e: unknown): ErrorReply {
  if (e instanceof ApiError) return { status: e.status, message: e.message };
  if (isBerthError(e)) return { status: STATUS[e.kind], message: dockerWords(e) };
  return { status: 500, message: `internal error: ${(e as Error)?.message ?? String(e)}` };
}

function dockerWords(e: BerthError): string {
  // The docker CLI derives run's exit code from these words: 127 "executable file not found"
  // or "no such file or directory", 126 "permission denied".
  if (e.exitCode === 127 && !/executable file not found|no such file or directory/.test(e.message)) return `${e.message}: executable file not found`;
  if (e.exitCode === 126 && !/permission denied|is a directory/.test(e.message)) return `${e.message}: permission denied`;
  const m = /^no such container: (.*)$/.exec(e.message);
  if (m) return `No such container: ${m[1]}`;
  const i = /^image not found: (.*)$/.exec(e.message);
  if (i) return `No such image: ${i[1]}`;
  return e.message;
}

/** Whether an error is a bug rather than the client's doing: those are logged by the server. */
export function isBug(e: unknown): boolean {
  return !(e instanceof ApiError) && !isBerthError(e);
}
