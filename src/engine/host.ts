// What the container lifecycle asks of the host, as one port: processes, mounts, cgroups, the
// OCI runtime under conmon, and the container's network. The real host is the parts below the
// engine; a test hands the engine a fake (engine/testing/fake-host.ts) through EngineContext.host,
// so that create, start, stop, the exit callback, restart policies, reconcile and every rollback
// run without root. The instances file and the container's own directories stay real (they
// need no privilege): the fake stands in only for what the kernel and the runtime would do.
import { chownSync } from 'node:fs';
import { run, startDetached } from '../sys/exec.js';
import { idmapMount } from '../sys/idmap.js';
import { inUserNamespace, unprivilegedPortStart } from '../sys/rootless.js';
import { mount, unmount, isOwnFsMounted } from '../sys/mount.js';
import { bootId, bootTime, sameProcessAlive, processStartTime, hardRlimits, allHardRlimits, oomFloor } from '../sys/proc.js';
import { blkioWeightSupported, cgroupMode, type CgroupMode } from '../sys/cgroups.js';
import type { ResourceHost } from './resource-options.js';
import { removeCgroup } from '../sys/cgroups.js';
import { containerShortfall } from '../sys/contained.js';
import { shortfallError } from './preflight.js';
import { sendSignal } from '../sys/signal.js';
import {
  createContainer,
  startContainer,
  killContainer,
  deleteContainer,
  readExitFile,
  writeBundle,
} from '../runtime/oci.js';
import { chooseRuntime } from '../runtime/select.js';
import { pauseContainer, resumeContainer, updateContainer as updateResources } from '../runtime/control.js';
import { connectAttach, resizeTerminal, type AttachConnection } from '../runtime/attach.js';
import {
  planEndpoints,
  makeContainerNetns,
  setUpContainerNetwork,
  tearDownContainerNetwork,
  releaseContainerNetwork,
  publishPorts,
} from '../network/attach.js';
import { ensureBridge, ensureDefaultNetwork, listNetworks } from '../network/networks.js';
import type { NetCtx } from '../network/context.js';
import { setUpUserModeNetwork, tearDownUserModeNetwork } from '../network/usermode.js';
import type { EngineContext } from './context.js';

export interface Host {
  /**
   * Throws when this host cannot run containers (berth in a container without --privileged, or
   * `root` on overlayfs); without `root`, only the privileges are checked (a network's bridge).
   */
  checkCanRun: (root?: string) => void;
  bootId: () => string;
  /** When the current boot began; bounds the finish of a run that a reboot ended. */
  bootTime: () => Date | null;
  /** The pid is held by a live process (not a zombie) that started at `startTime` when known. */
  processAlive: (pid: number, startTime: number | null | undefined) => boolean;
  processStartTime: (pid: number) => number | null;
  hardRlimits: typeof hardRlimits;
  /** Every hard limit of ours by --ulimit name (Infinity: unlimited). */
  allHardRlimits: () => Record<string, number>;
  /** What --blkio-weight and --oom-score-adj are checked against. */
  resourceHost: () => ResourceHost;
  signal: (pid: number, signal: NodeJS.Signals) => void;
  /** berth runs rootless, inside an ordinary user's namespaces (sys/rootless.ts). */
  rootless: () => boolean;
  /** The lowest host port an ordinary user may bind (net.ipv4.ip_unprivileged_port_start). */
  unprivilegedPortStart: () => number;
  /** A detached process that outlives berth (a health runner); its pid, or null. */
  startHealthRunner: (cmd: string, args: readonly string[]) => number | null;
  /** Flushes the filesystem holding `path` (a writable layer about to be unmounted). */
  syncFs: (path: string) => void;
  mount: typeof mount;
  unmount: typeof unmount;
  isMounted: typeof isOwnFsMounted;
  /** Idmapped bind mounts of the image layers, for a container in a user namespace. */
  idmapMount: typeof idmapMount;
  /** Gives a path the container's root (a user namespace's), so that it may write there. */
  chown: (path: string, uid: number, gid: number) => void;
  removeCgroup: (cgroupsPath: string) => void;
  /** v1, hybrid or v2: a container gets a cgroup namespace of its own by default on v2 only, as in Docker. */
  cgroupMode: () => CgroupMode;
  chooseRuntime: typeof chooseRuntime;
  createContainer: typeof createContainer;
  startContainer: typeof startContainer;
  killContainer: typeof killContainer;
  deleteContainer: typeof deleteContainer;
  pauseContainer: typeof pauseContainer;
  resumeContainer: typeof resumeContainer;
  /** New cgroup limits for a live container. */
  updateResources: typeof updateResources;
  readExitFile: typeof readExitFile;
  writeBundle: typeof writeBundle;
  /** conmon's attach socket of the container whose bundle is `bundleDir`. */
  connectAttach: (bundleDir: string) => Promise<AttachConnection>;
  /** Through conmon's ctl fifo; false when no conmon reads it. */
  resizeTerminal: (bundleDir: string, height: number, width: number) => boolean;
  planEndpoints: typeof planEndpoints;
  publishPorts: typeof publishPorts;
  ensureDefaultNetwork: typeof ensureDefaultNetwork;
  /** Makes every network's bridge and nftables elements that are missing (at boot); their names. */
  restoreBridges: (ctx: NetCtx) => string[];
  /** The container's empty network namespace alone, before the runtime; the rest is setUpNetwork's (`nsMade`). */
  makeNetns: typeof makeContainerNetns;
  setUpNetwork: typeof setUpContainerNetwork;
  /** Rootless berth's default network: pasta on a namespace of the run's own (network/usermode.ts). */
  setUpUserModeNetwork: typeof setUpUserModeNetwork;
  tearDownUserModeNetwork: typeof tearDownUserModeNetwork;
  tearDownNetwork: typeof tearDownContainerNetwork;
  releaseNetwork: typeof releaseContainerNetwork;
}

export const realHost: Host = {
  checkCanRun: (root) => {
    const s = containerShortfall(root);
    if (s) throw shortfallError(s);
  },
  bootId: () => bootId(),
  bootTime: () => bootTime(),
  processAlive: (pid, startTime) => sameProcessAlive(pid, startTime),
  processStartTime: (pid) => processStartTime(pid),
  hardRlimits,
  allHardRlimits: () => allHardRlimits(),
  resourceHost: () => ({ blkioWeight: blkioWeightSupported(), ...oomFloor() }),
  startHealthRunner: startDetached,
  rootless: inUserNamespace,
  unprivilegedPortStart,
  signal: (pid, signal) => {
    if (!sendSignal(pid, signal)) throw new Error(`process ${pid} is gone or not ours to signal`);
  },
  syncFs: (path) => {
    run('sync', ['-f', path], { allowFail: true });
  },
  mount,
  unmount,
  isMounted: isOwnFsMounted,
  idmapMount,
  chown: (path, uid, gid) => chownSync(path, uid, gid),
  removeCgroup: (p) => {
    removeCgroup(p);
  },
  cgroupMode: () => cgroupMode(),
  chooseRuntime,
  createContainer,
  startContainer,
  killContainer,
  deleteContainer,
  pauseContainer,
  resumeContainer,
  updateResources,
  readExitFile,
  writeBundle,
  connectAttach,
  resizeTerminal,
  planEndpoints,
  publishPorts,
  ensureDefaultNetwork,
  restoreBridges: (ctx) =>
    listNetworks(ctx).map((net) => {
      ensureBridge(ctx, net);
      return net.name;
    }),
  makeNetns: makeContainerNetns,
  setUpNetwork: setUpContainerNetwork,
  setUpUserModeNetwork,
  tearDownUserModeNetwork,
  tearDownNetwork: tearDownContainerNetwork,
  releaseNetwork: releaseContainerNetwork,
};

export function hostOf(ctx: EngineContext): Host {
  return ctx.host ?? realHost;
}
