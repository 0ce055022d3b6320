// A real `berth serve --ui` for a test, and Debian's chromium driven by playwright-core (its own
// browser download cannot work here). Each gets its own temporary directories and is stopped as a
// user would stop it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { BIN, until, type Berth } from './helpers.js';

export const CHROMIUM = '/usr/bin/chromium';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export class UiServer {
  private proc: ChildProcess | undefined;
  log = '';
  out = '';
  loginUrl = '';
  origin = '';

  constructor(readonly b: Berth) {}

  get pid(): number {
    return this.proc?.pid ?? 0;
  }

  async start(extra: string[] = []): Promise<void> {
    const port = await freePort();
    this.origin = `http://127.0.0.1:${port}`;
    this.proc = spawn(BIN, ['--root', this.b.root, '--runroot', this.b.runroot, 'serve', '--socket', join(this.b.runroot, 'api.sock'), '--ui',
      `127.0.0.1:${port}`, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d: Buffer) => {
      this.out += d.toString();
    });
    this.proc.stderr!.on('data', (d: Buffer) => {
      this.log += d.toString();
    });
    await until(() => /^Dashboard: \S+$/m.test(this.out) || this.proc!.exitCode !== null, 15_000);
    if (this.proc.exitCode !== null) throw new Error(`berth serve --ui did not start: ${this.log}`);
    this.loginUrl = /^Dashboard: (\S+)$/m.exec(this.out)![1]!;
  }

  async stop(): Promise<number | null> {
    const p = this.proc;
    if (!p) return null;
    this.proc = undefined;
    if (p.exitCode === null) {
      const exited = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGTERM');
      await exited;
    }
    return p.exitCode;
  }
}

export class Chromium {
  browser: Browser | undefined;
  context: BrowserContext | undefined;
  readonly profile = mkdtempSync('/tmp/berth-test-chromium-');

  async launch(): Promise<BrowserContext> {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: make deps installs Debian's chromium`);
    // A persistent context is how playwright takes a --user-data-dir of our own.
    this.context = await chromium.launchPersistentContext(this.profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1280, height: 800 },
    });
    this.browser = this.context.browser() ?? undefined;
    return this.context;
  }

  async close(): Promise<void> {
    await this.context?.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}
