// Helpers for the network integration tests: a temporary berth root, container rows, and
// programs run inside namespaces. Only tests import this file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { newId } from '../src/common/ids.js';
import { openDb, type Db } from '../src/state/db.js';
import { insertContainer } from '../src/state/containers.js';
import { networkStore } from '../src/state/network-store.js';
import { run, start } from '../src/sys/exec.js';
import type { NetCtx } from '../src/network/context.js';

export interface TestRoot {
  ctx: NetCtx;
  /** The instances file behind ctx.store, for tests that look at the records themselves. */
  db: Db;
  dir: string;
  cleanup(): void;
}

export function tempRoot(pools: readonly string[]): TestRoot {
  const dir = mkdtempSync(join(tmpdir(), 'berth-net-'));
  let db: ReturnType<typeof openDb>;
  try {
    db = openDb(join(dir, 'root'));
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const ctx: NetCtx = { store: networkStore(db), paths: { root: join(dir, 'root'), runroot: join(dir, 'run') }, pools };
  return { ctx, db, dir, cleanup: () => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  } };
}

export function suffix(): string {
  return randomBytes(3).toString('hex');
}

/** The minimal container row the engine would have written. */
export function addContainer(root: TestRoot, name: string): string {
  const id = newId();
  insertContainer(root.db, {
    id,
    name,
    imageId: 'sha256:0',
    imageRef: 'test',
    spec: {},
    labels: {},
    status: 'created',
    pid: null,
    conmonPid: null,
    conmonStart: null,
    exitCode: null,
    oomKilled: false,
    restartCount: 0,
    runtime: 'runc',
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    bootId: null,
    stopRequested: false,
    runId: null,
    pidStart: null,
    restartBackoffMs: 0,
  });
  return id;
}

/** Runs busybox inside a namespace; never throws, returns the result. */
export function inNs(ns: string, args: readonly string[], timeoutMs = 10_000) {
  return run('ip', ['netns', 'exec', ns, 'busybox', ...args], { allowFail: true, timeoutMs });
}

/**
 * GET over `busybox nc` (the static busybox's wget crashes here): the body, or undefined when
 * the connection fails or the status is not 200. `url` is http://IP:PORT/PATH.
 */
export function wget(ns: string | undefined, url: string): string | undefined {
  const m = /^http:\/\/([\d.]+)(?::(\d+))?(\/.*)?$/.exec(url);
  if (!m) throw new Error(`bad test url ${url}`);
  const args = ['nc', '-w', '2', m[1]!, m[2] ?? '80'];
  const input = `GET ${m[3] ?? '/'} HTTP/1.0\r\nHost: ${m[1]}\r\n\r\n`;
  const r = ns
    ? run('ip', ['netns', 'exec', ns, 'busybox', ...args], { allowFail: true, timeoutMs: 8000, input })
    : run('busybox', args, { allowFail: true, timeoutMs: 8000, input });
  if (r.status !== 0 || !/^HTTP\/1\.[01] 200/.test(r.stdout)) return undefined;
  const m2 = /\r?\n\r?\n/.exec(r.stdout);
  return m2 ? r.stdout.slice(m2.index + m2[0].length) : undefined;
}

/** Starts `busybox httpd -f` in a namespace, serving `dir`; resolves once it answers. */
export async function httpd(ns: string, dir: string, port = 80): Promise<{ stop(): void }> {
  const child = start('ip', ['netns', 'exec', ns, 'busybox', 'httpd', '-f', '-p', String(port), '-h', dir], { stdio: 'ignore' });
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  for (let i = 0; i < 50; i++) {
    if (wget(ns, `http://127.0.0.1:${port}/`) !== undefined) return { stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  stop();
  throw new Error(`httpd in ${ns} did not start`);
}
