// A real terminal for the interactive tests: util-linux `script` runs a command on a new pty
// (sized with stty first) and relays our writes to it as typed keys. `expect` waits for output,
// never for time, so a slow machine makes a test slower, not flaky.
import { spawn, type ChildProcess } from 'node:child_process';

export class Pty {
  private out = '';
  private readonly proc: ChildProcess;
  readonly exited: Promise<number>;

  constructor(command: string, opts: { rows?: number; cols?: number } = {}) {
    const size = `stty rows ${opts.rows ?? 24} cols ${opts.cols ?? 80}; `;
    // -e: script exits with the command's code.
    this.proc = spawn('script', ['-qefc', size + command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'dumb' } });
    this.proc.stdout!.on('data', (d: Buffer) => {
      this.out += d.toString('latin1');
    });
    this.proc.stderr!.on('data', (d: Buffer) => {
      this.out += d.toString('latin1');
    });
    this.exited = new Promise((resolve) => this.proc.on('close', (code) => resolve(code ?? -1)));
  }

  get output(): string {
    return this.out;
  }

  type(keys: string): void {
    this.proc.stdin!.write(keys);
  }

  /** Resolves once the output (from `from` on) matches; rejects with what came after 30 s. */
  async expect(re: RegExp, from = 0, timeoutMs = 30_000): Promise<number> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const m = re.exec(this.out.slice(from));
      if (m) return from + m.index + m[0].length;
      if (Date.now() > end) throw new Error(`pty: no ${String(re)} in ${JSON.stringify(this.out.slice(from))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  kill(): void {
    this.proc.kill('SIGKILL');
  }
}
