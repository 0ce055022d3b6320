// `berth build`: runs a Containerfile. Each stage starts FROM an image, scratch or an earlier
// stage (stages.ts); RUN runs in a real container (run-step.ts), COPY and ADD copy into a fresh
// layer (copy-step.ts); the other instructions edit the image config (instructions.ts). Every
// step that makes a layer makes an image, remembered in the build cache (cache.ts), so an
// unchanged step is not run again. The builder is a client of the engine: it reaches images,
// containers and the cache only through engine/build-images.ts and engine/build-run.ts.
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { notFound } from '../common/errors.js';
import { mark } from '../common/timing.js';
import type { BuildImage, Engine } from '../engine/index.js';
import { stepCache } from './cache.js';
import { copyStep } from './copy-step.js';
import { loadIgnore } from './ignore.js';
import { applyInstruction, buildArgs } from './instructions.js';
import { parseContainerfile, type Instruction } from './parse.js';
import { runStep } from './run-step.js';
import { finishStage, lastStage, splitStages, startStage, stepCount } from './stages.js';
import type { Build, BuildOptions, BuildResult, Stage, StepState } from './types.js';

export type { BuildOptions, BuildResult };

/** The Containerfile to read: -f FILE (relative to the working directory), else the context's own. */
function containerfile(contextDir: string, given: string | undefined): string {
  let file = given;
  if (file === undefined) file = ['Containerfile', 'Dockerfile'].map((n) => join(contextDir, n)).find((p) => existsSync(p));
  else if (!isAbsolute(file)) file = resolve(file);
  if (file === undefined || !existsSync(file)) {
    throw notFound('build.no_containerfile', `no Containerfile${given ? ` ${given}` : ` or Dockerfile in ${contextDir}`}`, 'give one with -f FILE');
  }
  return file;
}

export async function buildImage(engine: Engine, o: BuildOptions): Promise<BuildResult> {
  const support = await engine.builder();
  const contextDir = resolve(o.contextDir);
  if (!existsSync(contextDir) || !lstatSync(contextDir).isDirectory()) throw notFound('build.no_context', `build context ${o.contextDir} is not a directory`);
  const text = o.containerfileText ?? readFileSync(containerfile(contextDir, o.file), 'utf8');
  const { globalArgs, stages } = splitStages(parseContainerfile(text));
  const b: Build = {
    engine: support,
    options: o,
    contextDir,
    exclude: loadIgnore(contextDir),
    stages,
    results: [],
    args: buildArgs(o.buildArgs, globalArgs),
    cache: stepCache(support, o.noCache),
    log: o.log,
  };
  const last = lastStage(stages, o.target);
  for (const [k, v] of Object.entries(o.labels ?? {})) {
    // JSON quoting is LABEL's own; a $ is escaped so that a label is taken as given, not expanded.
    const q = (t: string) => JSON.stringify(t).replaceAll('$', '\\$');
    stages[last]!.steps.push(...parseContainerfile(`LABEL ${q(k)}=${q(v)}`));
  }
  support.sweepKilled();
  mark('build: started');
  const total = stepCount(stages, last);
  let stepNo = 0;
  for (let si = 0; si <= last; si++) {
    const stage = stages[si]!;
    o.log(`STEP ${++stepNo}/${total}: ${stage.from.text}`);
    const st = await startStage(b, stage);
    for (const [i, ins] of stage.steps.entries()) {
      o.log(`STEP ${++stepNo}/${total}: ${ins.text}`);
      await step(b, st, stage, i, ins);
    }
    b.results[si] = await finishStage(b, st);
  }
  const unused = b.args.unused();
  if (unused.length > 0) o.log(`warning: build args not consumed by the Containerfile: ${unused.join(', ')}`);
  const final: BuildImage = b.results[last]!;
  const names = o.tags.map((t) => support.tag(final.id, t));
  mark('build: tagged');
  for (const n of names) o.log(`Successfully tagged ${n}`);
  return { id: final.id, tags: names };
}

/** One instruction of a stage: a config edit, or a step that makes a layer. */
async function step(b: Build, st: StepState, stage: Stage, index: number, ins: Instruction): Promise<void> {
  const cmdFollows = stage.steps.slice(index).some((s) => s.keyword === 'CMD');
  if (applyInstruction(st, ins, { args: b.args, cmdFollows, warn: b.log })) return;
  if (ins.keyword === 'RUN') return runStep(b, st, ins);
  if (ins.keyword === 'COPY' || ins.keyword === 'ADD') return copyStep(b, st, ins);
}
