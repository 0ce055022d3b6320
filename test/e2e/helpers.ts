// Drives the built CLI as a user would, each test in its own temporary berth root.
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');
export const BIN = join(REPO, 'bin/berth');
export const BUSYBOX_TAR = join(REPO, 'images/out/busybox.tar');
export const NGINX_TAR = join(REPO, 'images/out/nginx.tar');

export interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

/** The fields of `berth image inspect` (Docker's names) that the tests read. */
export interface ImageInspect {
  Id: string;
  RepoDigests: string[];
  RootFS: { Layers: string[] };
  Config: {
    WorkingDir?: string;
    User?: string;
    StopSignal?: string;
    Labels?: Record<string, string>;
    Entrypoint?: string[];
    Env?: string[];
    ExposedPorts?: Record<string, object>;
    Volumes?: Record<string, object>;
    Healthcheck?: object;
  };
}

/** `skopeo inspect` of an image, and `skopeo inspect --raw` of a manifest, as far as the tests read them. */
export interface SkopeoInspect {
  Digest: string;
  Env?: string[];
  Layers: string[];
}
export interface RawManifest {
  mediaType: string;
  config: { digest: string };
  layers: { digest: string }[];
}

/** The fields of `berth inspect` (Docker's names) that the tests read. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  RestartCount: number;
  State: { Status: string; Pid: number; ConmonPid: number; ExitCode: number; OOMKilled: boolean; RestartCount: number; StartedAt: string; FinishedAt: string;
    Running: boolean; Paused: boolean };
  Config: { Cmd: string[]; Labels: Record<string, string>; StopTimeout: number; Healthcheck: Record<string, unknown> | null; [k: string]: unknown };
  HostConfig: { Memory: number; NanoCpus: number; ReadonlyRootfs: boolean; RestartPolicy: { Name: string; MaximumRetryCount: number }; [k: string]: unknown };
  NetworkSettings: { Networks: Record<string, { IPAddress: string; Aliases: string[]; [k: string]: unknown }>; Ports: Record<string, unknown>;
    [k: string]: unknown };
  [k: string]: unknown;
}

export class Berth {
  readonly root: string;
  readonly runroot: string;
  constructor() {
    this.root = mkdtempSync('/tmp/berth-test-root-');
    this.runroot = mkdtempSync('/tmp/berth-test-run-');
    // No search registries: a short name that is not here is "not found" at once, never looked up
    // on docker.io (tests reach only loopback). Registry tests write their own list.
    writeFileSync(join(this.root, 'registries.json'), JSON.stringify({ search: [] }));
  }

  /** Runs berth and returns its outcome; never throws on a non-zero exit. */
  run(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Result {
    const r = spawnSync(BIN, ['--root', this.root, '--runroot', this.runroot, ...args], {
      encoding: 'utf8',
      input: opts.input,
      env: { ...process.env, ...opts.env },
      timeout: opts.timeoutMs ?? 120_000,
    });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** Runs berth and insists on success; the thrown error carries stderr. */
  ok(args: string[], opts: { input?: string } = {}): string {
    const r = this.run(args, opts);
    if (r.status !== 0) throw new Error(`berth ${args.join(' ')} → ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  }

  async runAsync(args: string[]): Promise<Result> {
    return new Promise((res) => {
      const p = spawn(BIN, ['--root', this.root, '--runroot', this.runroot, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      p.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      p.on('close', (code) => res({ status: code ?? -1, stdout, stderr }));
    });
  }

  importBusybox(): void {
    if (!existsSync(BUSYBOX_TAR)) throw new Error(`missing ${BUSYBOX_TAR}: run make build`);
    this.ok(['image', 'import', BUSYBOX_TAR, 'busybox']);
  }

  importNginx(): void {
    this.ok(['image', 'import', NGINX_TAR, 'nginx']);
  }

  inspect(ref: string): ContainerInspect {
    return (JSON.parse(this.ok(['inspect', ref])) as ContainerInspect[])[0]!;
  }

  /** Removes everything this root made, as a user would, then the directories. */
  destroy(): void {
    const ids = this.run(['ps', '-aq', '--no-trunc']).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) this.run(['rm', '-f', ...ids]);
    const nets = this.run(['network', 'ls', '--format', 'json']);
    if (nets.status === 0) {
      try {
        const names = jsonLines<{ Name: string }>(nets.stdout).map((n) => n.Name);
        if (names.length > 0) this.run(['network', 'rm', '-f', ...names]);
      } catch { /* no networks */ }
    }
    // Anything still mounted under the root is a bug the leak check will report; unmount it so
    // that one failure does not cascade into the next tests.
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '')
      .filter((m) => m.startsWith(this.root) || m.startsWith(this.runroot)).reverse();
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    rmSync(this.root, { recursive: true, force: true });
    rmSync(this.runroot, { recursive: true, force: true });
  }
}

/** A listing's `--format json`: one object a line, as Docker prints it. */
export function jsonLines<T = Record<string, string>>(text: string): T[] {
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function until<T>(fn: () => T | undefined | false, timeoutMs = 10_000, stepMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(stepMs);
  }
}
