// The shapes the builder's modules share: the options of a build, one stage, the state a stage's
// steps thread through, and the build in progress that every step reads.
import type { BuildImage, BuildSupport, OciContainerConfig, PullOptions, PullPolicy } from '../engine/index.js';
import type { Instruction } from './parse.js';

export interface BuildOptions {
  contextDir: string;
  /** The Containerfile; default CONTEXT/Containerfile, then CONTEXT/Dockerfile. */
  file?: string;
  /** The Containerfile's text itself (compose's dockerfile_inline); `file` is then not read. */
  containerfileText?: string;
  /** Labels set on the final image after its own (compose's build.labels). */
  labels?: Record<string, string>;
  tags: string[];
  buildArgs: Record<string, string>;
  target?: string;
  noCache: boolean;
  network: 'none' | 'host';
  /** Step lines and RUN output. */
  log: (text: string) => void;
  /** When FROM may pull its image (default missing), and how. */
  pull?: PullPolicy;
  pullOptions?: PullOptions;
}

export interface BuildResult {
  id: string;
  tags: string[];
}

export interface Stage {
  /** The AS name, lower-cased; undefined for an unnamed stage. */
  name: string | undefined;
  from: Instruction;
  steps: Instruction[];
}

/** Where a stage stands after each step. */
export interface StepState {
  /** The last image a step made (or the base); undefined on scratch before any layer. */
  image: BuildImage | undefined;
  config: OciContainerConfig;
  shell: string[];
  /** The stage's ARGs in force. */
  args: Map<string, string>;
  /** The cache key of everything so far. */
  key: string;
  /** The config differs from the image's (a config-only image is made at the end). */
  dirty: boolean;
  /** History lines of the config instructions not yet in an image. */
  notes: string[];
}

/** The --build-arg values, and which of them the Containerfile declared. */
export interface BuildArgs {
  /** The --build-arg value of `name` if one was given (it counts as used), else `dflt`. */
  value(name: string, dflt: string | undefined): string | undefined;
  /** The values of the ARGs before the first FROM, which a stage's ARG may redeclare. */
  readonly global: ReadonlyMap<string, string>;
  /** The --build-arg names no ARG declared. */
  unused(): string[];
}

/** The build cache as steps use it (a no-op lookup with --no-cache). */
export interface StepCache {
  get(key: string): BuildImage | undefined;
  put(key: string, imageId: string): void;
}

/** One build in progress: what every stage and step reads. */
export interface Build {
  /** The engine's operations for builds. */
  engine: BuildSupport;
  options: BuildOptions;
  /** The context directory, absolute. */
  contextDir: string;
  /** Context paths the ignore file hides. */
  exclude: (rel: string) => boolean;
  stages: Stage[];
  /** The image of each stage built so far, by index. */
  results: BuildImage[];
  args: BuildArgs;
  cache: StepCache;
  log: (text: string) => void;
}
