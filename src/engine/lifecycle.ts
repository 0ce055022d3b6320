// The container states and what each verb may do from each, as one table (youki's idea):
// the verbs check here instead of scattering status comparisons.
import type { ContainerStatus } from '../state/containers.js';
import { conflict } from '../common/errors.js';

export type Verb = 'start' | 'stop' | 'kill' | 'rm' | 'exec' | 'restart';

const ALLOWED: Record<Verb, readonly ContainerStatus[]> = {
  start: ['created', 'exited'],
  stop: ['running'],
  kill: ['running'],
  rm: ['created', 'exited'],
  exec: ['running'],
  restart: ['created', 'exited', 'running'],
};

export function can(verb: Verb, status: ContainerStatus): boolean {
  return ALLOWED[verb].includes(status);
}

export function mustBe(verb: Verb, status: ContainerStatus, name: string): void {
  if (can(verb, status)) return;
  const hint = verb === 'rm' ? 'stop it first, or use rm -f' : verb === 'exec' || verb === 'kill' ? 'start it first' : undefined;
  throw conflict(`container.not_${verb === 'rm' ? 'removable' : verb === 'exec' || verb === 'kill' ? 'running' : 'ready'}`,
    verb === 'rm' ? `cannot remove container ${name}: it is ${status}` : `cannot ${verb} container ${name}: it is ${status}`, hint);
}
