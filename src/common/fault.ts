// Fault injection: BERTH_FAULT=VERB:STEP (e.g. `run:start.mounted`, `network create:netcreate.bridge`)
// makes berth kill itself with SIGKILL when the verb it runs reaches that step, as a power cut or
// an OOM kill would. The variable is read once, at load; a step is one comparison against
// undefined in the normal path. Steps are named in common/fault-steps.ts.
import type { StepName } from './fault-steps.js';

const wanted = process.env.BERTH_FAULT;
let verb = '';

/**
 * The verb this process runs, as the registry names it ("run", "network create",
 * "compose up"), so that a step shared by several verbs fires only under the one asked for,
 * and never in a berth that conmon's exit command starts with the same environment.
 */
export function faultVerb(v: string): void {
  verb = v;
}

export function step(name: StepName): void {
  if (wanted !== undefined && wanted === `${verb}:${name}`) process.kill(process.pid, 'SIGKILL');
}
