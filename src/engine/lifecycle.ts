// The container states and what each verb may do from each, as one table (youki's idea):
// the verbs check here instead of scattering status comparisons.
import type { ContainerStatus } from '../state/containers.js';
import { conflict } from '../common/errors.js';

export type Verb = 'start' | 'stop' | 'kill' | 'rm' | 'exec' | 'restart' | 'pause' | 'unpause';

const ALLOWED: Record<Verb, readonly ContainerStatus[]> = {
  start: ['created', 'exited'],
  // A paused container is thawed first, then stopped or signalled (a frozen task in a v1
  // freezer cgroup would not even die of SIGKILL).
  stop: ['running', 'paused'],
  kill: ['running', 'paused'],
  rm: ['created', 'exited'],
  exec: ['running'],
  restart: ['created', 'exited', 'running', 'paused'],
  pause: ['running'],
  unpause: ['paused'],
};

/** The container has a process (running or frozen): what reconcile, stop and the exit callback look after. */
export function isLive(status: ContainerStatus): boolean {
  return status === 'running' || status === 'paused';
}

export function can(verb: Verb, status: ContainerStatus): boolean {
  return ALLOWED[verb].includes(status);
}

export function mustBe(verb: Verb, status: ContainerStatus, name: string): void {
  if (can(verb, status)) return;
  const hint = verb === 'rm' ? 'stop it first, or use rm -f' : status === 'paused' ? 'unpause it first'
    : verb === 'exec' || verb === 'kill' || verb === 'pause' ? 'start it first' : undefined;
  throw conflict(
    `container.not_${
      verb === 'rm' ? 'removable' : verb === 'exec' || verb === 'kill' || verb === 'pause' ? 'running' : verb === 'unpause' ? 'paused' : 'ready'
    }`,
    verb === 'rm' ? `cannot remove container ${name}: it is ${status}` : `cannot ${verb} container ${name}: it is ${status}`,
    hint,
  );
}
