// A stack of undo steps for multi-step operations: each step that succeeds registers how to
// take it back; on failure they run in reverse, so a failed command leaves nothing half made.
export class Undo {
  private steps: { what: string; fn: () => unknown }[] = [];

  push(what: string, fn: () => unknown): void {
    this.steps.push({ what, fn });
  }

  /** Forget the steps: the operation succeeded and what it made is now wanted. */
  commit(): void {
    this.steps = [];
  }

  /** Takes back every registered step, newest first. Errors are collected, never thrown over the cause. */
  async rollback(): Promise<string[]> {
    const failures: string[] = [];
    while (this.steps.length > 0) {
      const s = this.steps.pop()!;
      try {
        await s.fn();
      } catch (e) {
        failures.push(`${s.what}: ${(e as Error).message}`);
      }
    }
    return failures;
  }
}
