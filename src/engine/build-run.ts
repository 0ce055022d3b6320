// A build's RUN step as one engine operation: a throwaway container on the step's image runs the
// command, its output is handed over line by line while it runs, and on exit 0 its writable
// layer becomes the layer of a new image. The container is removed however the step ends.
//
// Worked example, `RUN make` on image P with WORKDIR /src:
//   const r = await runBuildStep(ctx, { parent: P.id, config, cmd: ['/bin/sh', '-c', 'make'],
//     env: ['PATH=/usr/bin:/bin'], network: 'none', createdBy: 'RUN make', configSteps: [],
//     onLine: (l) => console.log(l) });
//   r.exitCode === 0 ? r.image /* the new image, P's layers + make's changes */ : r.image /* undefined */
import { createWriteStream, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { mark } from '../common/timing.js';
import { createImage } from '../image/create.js';
import { resolveImage } from '../image/images.js';
import type { ImageRecord } from '../image/types.js';
import { packDir } from '../storage/pack.js';
import { snapshotPaths } from '../storage/overlay.js';
import { pidAlive } from '../sys/proc.js';
import { createContainer, listContainers, removeContainer, startContainer } from './containers.js';
import type { EngineContext } from './context.js';
import { followLogs, waitForExit } from './follow.js';
import { emptyResources } from './types.js';
import { stagingDir, statInImage, sweepBuildMounts, type BuildImage, type CommitStepOptions } from './build-images.js';
import { imageContext } from './parts.js';

export interface RunStepOptions extends CommitStepOptions {
  /** The command as the container runs it (the shell form already wrapped in the SHELL). */
  cmd: string[];
  /** KEY=VALUE: the config's Env plus the build args in force. */
  env: string[];
  network: 'none' | 'host';
  /** Each line of the command's output (stdout and stderr as they came), without its newline. */
  onLine: (line: string) => void;
}

export interface RunStepResult {
  exitCode: number;
  /** Whether the command printed anything (for the failure's hint). */
  printed: boolean;
  /** The new image; only when exitCode is 0. */
  image: BuildImage | undefined;
}

const BUILD_NAME = /^berth-build-(\d+)-[0-9a-f]+$/;
/** Files the runtime creates in the upper layer only to mount over them. */
const RUNTIME_MOUNT_POINTS = ['etc/hosts', 'etc/hostname', 'etc/resolv.conf'];

/**
 * Runs one RUN step; see the file's comment. The step's container is named
 * berth-build-<pid>-<hex> so that sweepKilledBuilds can tell a killed build's leftovers.
 * Interrupted (SIGINT, SIGTERM), it removes its container and exits the process (130, 143).
 */
export async function runBuildStep(ctx: EngineContext, o: RunStepOptions): Promise<RunStepResult> {
  // A RUN on scratch, or on a config-only change of it, needs an image record to start from.
  const image: ImageRecord = o.parent !== undefined
    ? resolveImage(imageContext(ctx).store, o.parent)
    : await createImage(imageContext(ctx), { parent: undefined, config: o.config, createdBy: 'scratch' });
  const c = createContainer(ctx, {
    image: image.id,
    name: `berth-build-${process.pid}-${randomBytes(4).toString('hex')}`,
    entrypoint: [],
    cmd: o.cmd,
    env: o.env,
    ...(o.config.WorkingDir ? { workdir: o.config.WorkingDir } : {}),
    ...(o.config.User ? { user: o.config.User } : {}),
    readOnly: false,
    resources: emptyResources(),
    volumes: [],
    networkMode: o.network,
    networks: [],
    ports: [],
    publishAll: false,
    restart: { name: 'no', maxRetries: 0 },
    autoRemove: false,
    labels: { 'io.berth.build': 'true' },
  });
  const onSignal = (sig: NodeJS.Signals) => {
    try {
      removeContainer(ctx, c.id, { force: true });
    } catch { /* exiting anyway */ }
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await startContainer(ctx, c.id);
    const { exitCode, printed } = await followUntilExit(ctx, c.id, o.onLine);
    mark('run: exited');
    if (exitCode !== 0) return { exitCode, printed, image: undefined };
    const staging = stagingDir(ctx, 'build-');
    try {
      const tar = join(staging, 'layer.tar');
      await packDir(snapshotPaths(ctx.paths.root, c.id).upper, createWriteStream(tar, { mode: 0o600 }), {
        overlayWhiteouts: true,
        // The runtime's mount points for /etc/hosts and friends are not the build's doing.
        exclude: (rel) => RUNTIME_MOUNT_POINTS.includes(rel) && statInImage(ctx, image.id, `/${rel}`) === undefined,
      });
      mark('run: diff packed');
      const made = await createImage(imageContext(ctx), {
        parent: image,
        config: o.config,
        layerTar: tar,
        createdBy: o.createdBy,
        configSteps: o.configSteps,
      });
      mark('run: image committed');
      return { exitCode, printed, image: { id: made.id, config: structuredClone(made.config.config ?? {}) } };
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    removeContainer(ctx, c.id, { force: true });
    mark('run: container removed');
  }
}

/** Streams the container's log as lines while its process lives, then waits for its recorded exit. */
async function followUntilExit(ctx: EngineContext, id: string, onLine: (line: string) => void): Promise<{ exitCode: number; printed: boolean }> {
  let pending = '';
  let printed = false;
  // The engine's one follower: it ends once the exit is recorded, by when conmon has written all
  // of the process's output.
  for await (const chunk of followLogs(ctx, id, { follow: true })) {
    pending += chunk.text;
    printed = true;
    const nl = pending.lastIndexOf('\n');
    if (nl >= 0) {
      for (const l of pending.slice(0, nl).split('\n')) onLine(l);
      pending = pending.slice(nl + 1);
    }
  }
  const done = await waitForExit(ctx, id);
  if (pending !== '') onLine(pending);
  return { exitCode: done.exitCode ?? 1, printed };
}

/**
 * What builds killed with -9 left: their RUN containers and COPY --from views, both named with
 * the builder's pid. Those of a builder still alive are its own business.
 */
export function sweepKilledBuilds(ctx: EngineContext): void {
  for (const c of listContainers(ctx)) {
    const m = BUILD_NAME.exec(c.name);
    if (m && !pidAlive(Number(m[1]))) {
      try {
        removeContainer(ctx, c.id, { force: true });
      } catch {
        // another sweeper got it first
      }
    }
  }
  sweepBuildMounts(ctx);
}
