// The runtime verbs that act on a live container without changing its life: pause, resume,
// update (new cgroup limits) and ps. Thin, as the rest of the driver: it reports what the
// runtime says; whether a verb is allowed is the engine's business.
import { unavailable } from '../common/errors.js';
import { run } from '../sys/exec.js';
import { cleanRuntimeMessage } from './messages.js';
import { runtimeGlobalArgs, type RuntimeBinary } from './select.js';

function call(rt: RuntimeBinary, root: string, verb: string, args: string[], input?: string) {
  const r = run(rt.path, [...runtimeGlobalArgs(rt, root), verb, ...args], { allowFail: true, timeoutMs: 60_000, ...(input === undefined ? {} : { input }) });
  if (r.status !== 0) {
    const why = cleanRuntimeMessage((r.stderr || r.stdout).trim().split('\n').slice(-3).join('\n'));
    throw unavailable(`runtime.${verb}_failed`, `${rt.name} ${verb}: exit ${r.status}${why ? `: ${why}` : ''}`);
  }
  return r.stdout;
}

/** Freezes every process of the container (the cgroup freezer, v1 or v2, is the runtime's). */
export function pauseContainer(rt: RuntimeBinary, runtimeRoot: string, id: string): void {
  call(rt, runtimeRoot, 'pause', [id]);
}

export function resumeContainer(rt: RuntimeBinary, runtimeRoot: string, id: string): void {
  call(rt, runtimeRoot, 'resume', [id]);
}

/** New limits for a running container; fields left out keep their value. */
export interface LiveResources {
  memory?: { limit?: number; swap?: number; reservation?: number };
  cpu?: { quota?: number; period?: number; cpus?: string; shares?: number };
  pids?: { limit: number };
  blockIO?: { weight: number };
}

/** `runc update -r -`: the runtime writes the cgroup files (OCI LinuxResources as JSON on stdin). */
export function updateContainer(rt: RuntimeBinary, runtimeRoot: string, id: string, r: LiveResources): void {
  call(rt, runtimeRoot, 'update', ['--resources', '-', id], JSON.stringify(r));
}

/** The host pids of the container's processes (`runc ps --format json`). */
export function containerPids(rt: RuntimeBinary, runtimeRoot: string, id: string): number[] {
  const text = call(rt, runtimeRoot, 'ps', ['--format', 'json', id]).trim();
  const v = JSON.parse(text === '' ? '[]' : text) as unknown;
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
}
