// What the builder may ask of the engine, bound to one root: the build-images and build-run
// operations (each documented where it is written), handed to the builder as one object so that
// the builder holds no EngineContext and reaches nothing below the engine.
import type { EngineContext } from './context.js';
import {
  commitConfigStep,
  commitDirStep,
  ensureImage,
  findBuildImage,
  lookupBuildStep,
  readInImage,
  rememberBuildStep,
  stagingDir,
  statInImage,
  sweepBuildMounts,
  tagBuiltImage,
  unpackArchive,
  withImageFiles,
  type CommitStepOptions,
  type PullOptions,
  type PullPolicy,
} from './build-images.js';
import { runBuildStep, sweepKilledBuilds, type RunStepOptions } from './build-run.js';

export function bindBuildSupport(ctx: EngineContext) {
  return {
    findImage: (ref: string) => findBuildImage(ctx, ref),
    lookupStep: (key: string) => lookupBuildStep(ctx, key),
    rememberStep: (key: string, imageId: string) => rememberBuildStep(ctx, key, imageId),
    tag: (imageId: string, name: string) => tagBuiltImage(ctx, imageId, name),
    commitConfig: (o: CommitStepOptions) => commitConfigStep(ctx, o),
    commitDir: (o: CommitStepOptions & { fill: (root: string) => Promise<void> }) => commitDirStep(ctx, o),
    stagingDir: (prefix: string) => stagingDir(ctx, prefix),
    stat: (imageId: string, path: string) => statInImage(ctx, imageId, path),
    read: (imageId: string, path: string) => readInImage(ctx, imageId, path),
    withImageFiles: <T>(imageId: string, fn: (root: string) => Promise<T>) => withImageFiles(ctx, imageId, fn),
    sweepMounts: () => sweepBuildMounts(ctx),
    unpackArchive,
    ensureImage: (ref: string, policy: PullPolicy, opts: PullOptions = {}) => ensureImage(ctx, ref, policy, opts),
    runStep: (o: RunStepOptions) => runBuildStep(ctx, o),
    sweepKilled: () => sweepKilledBuilds(ctx),
  };
}

export type BuildSupport = ReturnType<typeof bindBuildSupport>;
