// How transfers report progress (the CLI draws it), and a small promise pool for parallel blobs.

export interface TransferProgress {
  /** A blob transfer begins; total bytes as the manifest says. */
  start(digest: string, total: number): void;
  advance(digest: string, bytes: number): void;
  done(digest: string, how: 'done' | 'exists' | 'mounted'): void;
  message(text: string): void;
}

export const silentProgress: TransferProgress = { start() {}, advance() {}, done() {}, message() {} };

/** Runs tasks at most `limit` at a time; results in task order; the first failure rejects (others finish first). */
export async function pool<T>(tasks: ReadonlyArray<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  let failure: { e: unknown } | undefined;
  const worker = async () => {
    while (next < tasks.length && !failure) {
      const i = next++;
      try {
        results[i] = await tasks[i]!();
      } catch (e) {
        failure ??= { e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  if (failure) throw failure.e;
  return results;
}
