// A real `berth serve` on a temporary socket for one test file, and the docker CLI pointed at
// it. The server is stopped as a user would (SIGTERM) and must leave no socket behind.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, until, type Berth, type Result } from './helpers.js';

export class ApiServer {
  readonly socket: string;
  readonly dockerConfig: string;
  private proc: ChildProcess | undefined;
  log = '';

  constructor(readonly b: Berth) {
    this.socket = join(b.runroot, 'api.sock');
    // A config directory of its own: no user's contexts or credentials helpers get in the way.
    this.dockerConfig = mkdtempSync('/tmp/berth-test-docker-config-');
  }

  async start(extra: string[] = []): Promise<void> {
    this.proc = spawn(BIN, ['--root', this.b.root, '--runroot', this.b.runroot, 'serve', '--socket', this.socket, ...extra], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.proc.stderr!.on('data', (d: Buffer) => {
      this.log += d.toString();
    });
    // Its own word, not the socket file: a dead server's socket may be there already.
    await until(() => /listening on/.test(this.log) || this.proc!.exitCode !== null, 15_000);
    if (!existsSync(this.socket) || this.proc.exitCode !== null) throw new Error(`berth serve did not start: ${this.log}`);
  }

  /** SIGTERM, then the exit; returns the exit code. */
  async stop(): Promise<number | null> {
    const p = this.proc;
    if (!p) return null;
    this.proc = undefined;
    if (p.exitCode === null) {
      const exited = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dockerConfig, { recursive: true, force: true });
    return p.exitCode;
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, DOCKER_HOST: `unix://${this.socket}`, DOCKER_CONFIG: this.dockerConfig, DOCKER_CLI_HINTS: 'false' };
  }

  docker(args: string[], opts: { timeoutMs?: number } = {}): Result {
    const r = spawnSync('docker', args, { encoding: 'utf8', env: this.env, timeout: opts.timeoutMs ?? 60_000 });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  dockerOk(args: string[]): string {
    const r = this.docker(args);
    if (r.status !== 0) throw new Error(`docker ${args.join(' ')} → ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nserver: ${this.log}`);
    return r.stdout;
  }
}
