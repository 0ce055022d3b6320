// Stages: a Containerfile is cut at each FROM; --target picks the last stage to build; a stage
// starts FROM an image (pulled if the policy says so), scratch, or an earlier stage, which
// COPY --from names too (by AS name or by index).
import { BerthError, invalid, notFound } from '../common/errors.js';
import type { BuildImage } from '../engine/index.js';
import { chain } from './cache.js';
import { stageStart } from './instructions.js';
import { expand, type Instruction } from './parse.js';
import type { Build, Stage, StepState } from './types.js';

/** The ARGs before the first FROM, and the stages. Throws InvalidArgument on a bad FROM or a missing one. */
export function splitStages(all: readonly Instruction[]): { globalArgs: Instruction[]; stages: Stage[] } {
  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const ins of all) {
    if (ins.keyword === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(ins.args);
      if (!m) throw invalid('build.syntax', `Containerfile line ${ins.line}: FROM needs an image, optionally "AS name"`);
      stages.push({ name: m[2]?.toLowerCase(), from: ins, steps: [] });
    } else if (stages.length === 0) {
      if (ins.keyword !== 'ARG') throw invalid('build.syntax', `Containerfile line ${ins.line}: ${ins.keyword} before the first FROM`);
      globalArgs.push(ins);
    } else stages[stages.length - 1]!.steps.push(ins);
  }
  if (stages.length === 0) throw invalid('build.syntax', 'the Containerfile has no FROM instruction');
  return { globalArgs, stages };
}

/** The index of the last stage to build: --target's, or the last one. */
export function lastStage(stages: readonly Stage[], target: string | undefined): number {
  if (target === undefined) return stages.length - 1;
  const i = stages.findIndex((s) => s.name === target.toLowerCase());
  if (i < 0) throw notFound('build.no_target', `no stage named "${target}" in the Containerfile`);
  return i;
}

/** How many STEP lines stages 0..last print: each FROM and each instruction. */
export function stepCount(stages: readonly Stage[], last: number): number {
  return stages.slice(0, last + 1).reduce((n, s) => n + 1 + s.steps.length, 0);
}

/** The stage index `ref` names (an AS name, any case, or a number), or -1 for an image reference. */
export function stageIndex(stages: readonly Stage[], ref: string): number {
  const i = stages.findIndex((s) => s.name === ref.toLowerCase());
  if (i >= 0) return i;
  return /^\d+$/.test(ref) ? Number(ref) : -1;
}

/** The image of an earlier stage, or an image of the store, that `ref` names. */
export function stageImage(b: Build, ref: string, line: number): BuildImage {
  const n = stageIndex(b.stages, ref);
  if (n < 0) return b.engine.findImage(ref);
  const r = b.results[n];
  if (!r) throw invalid('build.bad_stage', `Containerfile line ${line}: stage "${ref}" is not built before this one`);
  return r;
}

/** FROM: the stage's starting state, its base pulled first when it is an image the policy lets pull. */
export async function startStage(b: Build, stage: Stage): Promise<StepState> {
  const fromRef = expand(/^(\S+)/.exec(stage.from.args)![1]!, b.args.global, stage.from.line);
  if (fromRef === 'scratch') return stageStart(undefined);
  if (stageIndex(b.stages, fromRef) < 0) await b.engine.ensureImage(fromRef, b.options.pull ?? 'missing', b.options.pullOptions ?? {});
  try {
    return stageStart(stageImage(b, fromRef, stage.from.line));
  } catch (e) {
    if (e instanceof BerthError && e.kind === 'NotFound') {
      throw notFound('build.base_not_found', `Containerfile line ${stage.from.line}: base image ${fromRef} not found`, `pull it first: berth pull ${fromRef}`);
    }
    throw e;
  }
}

/** The stage's image: its last layer image, or a config-only image on top of it (cached too). */
export async function finishStage(b: Build, st: StepState): Promise<BuildImage> {
  if (!st.dirty && st.image) return st.image;
  const key = chain(st.key, 'CONFIG', JSON.stringify(st.config));
  const hit = b.cache.get(key);
  if (hit) b.log(`--> Using cache ${hit.id.slice(7)}`);
  const result = hit ?? (await b.engine.commitConfig({
    parent: st.image?.id,
    config: st.config,
    createdBy: st.notes.at(-1) ?? '/bin/sh -c #(nop) config',
    configSteps: st.notes.slice(0, -1),
  }));
  b.cache.put(key, result.id);
  return result;
}
