// A synchronous sleep for retry loops in berth's synchronous code paths (locks, SQLite races):
// Atomics.wait blocks the thread without spinning and without a subprocess.
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function sleepMs(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
