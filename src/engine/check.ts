// `system check [--repair]`: every orphan and inconsistency of one root, each with what mending
// it means. A kernel object is this root's when the id it is named from (network/names.ts) is
// one of this root's (a record, a container directory or a run directory), when it lies under
// the root or runroot (mounts, runtime state, processes naming them in their arguments), or, for
// a bridge, when it carries the root's mark. Anything else is another root's and left alone; set
// elements naming a bridge that does not exist are dead for every root and may be mended by any.
// What ps mends (runs that ended unseen) is mended first, as ps does.
import { readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tx } from '../state/db.js';
import { integrityProblems, neededBlobDigests, recordedLayers, reindex } from '../state/check.js';
import { sleepMs } from '../common/sleep.js';
import { mountPoints } from '../sys/mount.js';
import { cgroupDirsFor } from '../sys/cgroups.js';
import {
  bridgesOnHost,
  deadElements,
  deleteElement,
  deleteStrayBridge,
  markedBridges,
  deleteLink,
  deleteNetns,
  hostVethsOnHost,
  netnsOnHost,
  portChainsOnHost,
  removePortRules,
} from '../network/orphans.js';
import { listNetworks } from '../network/networks.js';
import { containerDir, runDirsParent, runtimeRoot, type EngineContext } from './context.js';
import { hostOf } from './host.js';
import { lockContainerIfFree } from './lock.js';
import { type Container, listContainers } from './container-records.js';

export type { Finding } from './check-model.js';
import { isLive } from './lifecycle.js';
import { reconcileAll } from './container-finalize.js';
import { removeContainer } from './container-remove.js';
import { networkContext } from './parts.js';
import { HEX64, type Finding, type Item, type Scope } from './check-model.js';
import { scanProcesses } from './check-procs.js';
import { instancesLoss } from './instances-guard.js';
import { recoverRecords } from './record-file.js';

export interface CheckReport {
  findings: Finding[];
  /** With repair: the findings mended, and those that could not be, with why. */
  repaired: Finding[];
  failed: Array<{ finding: Finding; message: string }>;
}

/**
 * A blob or layer directory younger than this may belong to an import or pull in progress, whose
 * records are written after its files.
 */
export const STORE_GRACE_MS = 3600_000;

/** `create` writes the record, then makes the directory: a record this young may be mid-create. */
export const RECORD_GRACE_MS = 60_000;

function dirNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function cgroupProcs(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function olderThanGrace(path: string, now: number): boolean {
  try {
    return now - statSync(path).mtimeMs > STORE_GRACE_MS;
  } catch {
    return false;
  }
}

/** The full id of this root that an object's name was derived from, if any. */
function owner(scope: Scope, prefix: string): string | undefined {
  return scope.known.find((id) => id.startsWith(prefix));
}

function scanFiles(ctx: EngineContext, scope: Scope): Item[] {
  const items: Item[] = [];
  for (const id of dirNames(join(ctx.paths.root, 'containers'))) {
    if (!HEX64.test(id) || scope.records.has(id)) continue;
    const dir = containerDir(ctx, id);
    items.push({ kind: 'container-dir', object: dir, problem: 'no container record', action: 'remove the directory', lockId: id, repair: () => {
      const merged = join(dir, 'merged');
      if (hostOf(ctx).isMounted(merged)) hostOf(ctx).unmount(merged);
      rmSync(dir, { recursive: true, force: true });
    } });
  }
  for (const id of dirNames(runDirsParent(ctx))) {
    if (!HEX64.test(id) || scope.records.has(id)) continue;
    const dir = join(runDirsParent(ctx), id);
    items.push({ kind: 'run-dir', object: dir, problem: 'no container record', action: 'remove the directory', lockId: id, repair: () =>
      rmSync(dir, { recursive: true, force: true }) });
  }
  for (const c of scope.records.values()) {
    if (Date.now() - Date.parse(c.createdAt) < RECORD_GRACE_MS) continue;
    let present = true;
    try {
      statSync(containerDir(ctx, c.id));
    } catch {
      present = false;
    }
    if (present) continue;
    items.push({ kind: 'record', object: `container ${c.name} (${c.id.slice(0, 12)})`, problem: 'its directory (writable layer, logs) is gone',
      action: 'remove the record', repair: () => {
        removeContainer(ctx, c.id, { force: true });
      } });
  }
  return items;
}

function scanMounts(ctx: EngineContext, scope: Scope): Item[] {
  // mountinfo holds resolved paths; a root given through a symlink is compared resolved too.
  const real = (d: string) => {
    try {
      return realpathSync(d);
    } catch {
      return d;
    }
  };
  const rootReal = real(ctx.paths.root);
  const runReal = real(ctx.paths.runroot);
  // A running container's rootfs, and (rootless berth's user-mode network) its namespace file.
  const wanted = new Set([...scope.running].flatMap((id) => [join(rootReal, 'containers', id, 'merged'), join(runReal, 'containers', id, 'netns')]));
  const roots = [rootReal, runReal].map((d) => `${d.replace(/\/+$/, '')}/`);
  const points = mountPoints(readFileSync('/proc/self/mountinfo', 'utf8')).filter((m) => roots.some((r) => m.startsWith(r)) && !wanted.has(m));
  const containers = `${join(rootReal, 'containers')}/`;
  return [...new Set(points)].sort((a, b) => b.length - a.length).map((m) => {
    const id = m.startsWith(containers) ? m.slice(containers.length).split('/')[0] : undefined;
    return {
      kind: 'mount',
      object: m,
      problem: 'no running container uses it',
      action: 'unmount',
      ...(id !== undefined && HEX64.test(id) ? { lockId: id } : {}),
      repair: () => hostOf(ctx).unmount(m, { lazy: true }),
    };
  });
}

function scanRuntimeState(ctx: EngineContext, scope: Scope): Item[] {
  const items: Item[] = [];
  for (const name of ['runc', 'crun'] as const) {
    const dir = runtimeRoot(ctx, name);
    for (const id of dirNames(dir)) {
      if (!HEX64.test(id) || scope.running.has(id)) continue;
      items.push({ kind: 'runtime-state', object: join(dir, id), problem: 'its container is not running, but the runtime still holds it',
        action: `${name} delete --force (ends what is left of it)`, lockId: id, repair: () => {
          hostOf(ctx).deleteContainer(hostOf(ctx).chooseRuntime(name), dir, id, { force: true });
          rmSync(join(dir, id), { recursive: true, force: true });
        } });
    }
  }
  return items;
}

function scanNetwork(ctx: EngineContext, scope: Scope): Item[] {
  const items: Item[] = [];
  const stale = (prefix: string) => {
    const id = owner(scope, prefix);
    return id !== undefined && !scope.running.has(id) ? id : undefined;
  };
  for (const n of netnsOnHost()) {
    const id = stale(n.idPrefix);
    if (id)
      items.push({ kind: 'netns', object: n.name, problem: 'its container is not running', action: 'delete it', lockId: id, repair: () =>
        deleteNetns(n.name) });
  }
  for (const v of hostVethsOnHost()) {
    const id = stale(v.idPrefix);
    if (id)
      items.push({ kind: 'veth', object: v.name, problem: 'its container is not running', action: 'delete it', lockId: id, repair: () => deleteLink(v.name) });
  }
  for (const ch of portChainsOnHost()) {
    const id = stale(ch.idPrefix);
    if (id)
      items.push({ kind: 'nft-chain', object: ch.name, problem: 'its container is not running', action: 'delete the chain and its jump', lockId: id,
        repair: () => removePortRules(ch.name) });
  }
  const nets = listNetworks(networkContext(ctx));
  const onHost = new Set(bridgesOnHost().map((b) => b.name));
  for (const net of nets) {
    if (onHost.has(net.bridge)) continue;
    // Left so by a reboot before `system boot`, or by a `network create` killed before it made it.
    const live = networkContext(ctx).store.endpointsOn(net.name).some((ep) => scope.running.has(ep.container_id));
    items.push({ kind: 'bridge', object: net.bridge, problem: `network ${net.name} has no bridge${live ? ' although containers run on it' : ''}`,
      action: 'make the bridge again', repair: () => hostOf(ctx).restoreBridges(networkContext(ctx)) });
  }
  const ours = new Set(nets.map((n) => n.bridge));
  for (const br of markedBridges(ctx.paths.root)) {
    if (ours.has(br.name)) continue;
    items.push({ kind: 'bridge', object: br.name, problem: "carries this root's mark, but no network of this root names it",
      action: 'delete it and its nftables elements', repair: () => deleteStrayBridge(br.name) });
  }
  for (const e of settledDeadElements()) {
    items.push({ kind: 'nft-element', object: `${e.set} { ${e.key} }`, problem: 'no bridge of any berth root has it', action: 'delete the element',
      repair: () => deleteElement(e) });
  }
  return items;
}

/**
 * Another root's `network rm` deletes its bridge a moment before its elements: only elements
 * still dead on a second look, a little later, are reported.
 */
function settledDeadElements(): ReturnType<typeof deadElements> {
  const first = deadElements();
  if (first.length === 0) return first;
  sleepMs(SETTLE_MS);
  const again = new Set(deadElements().map((e) => `${e.set} ${e.key}`));
  return first.filter((e) => again.has(`${e.set} ${e.key}`));
}

const SETTLE_MS = 500;

function scanCgroups(ctx: EngineContext, scope: Scope): Item[] {
  const items: Item[] = [];
  for (const parent of cgroupDirsFor('/berth')) {
    for (const id of dirNames(parent)) {
      if (!HEX64.test(id) || !scope.known.includes(id) || scope.running.has(id)) continue;
      const dir = join(parent, id);
      items.push({ kind: 'cgroup', object: dir, problem: 'its container is not running', action: 'kill what runs in it, then remove it', lockId: id,
        repair: () => {
          for (const pid of cgroupProcs(dir)) {
            try {
              hostOf(ctx).signal(pid, 'SIGKILL');
            } catch { /* already gone */ }
          }
          hostOf(ctx).removeCgroup(`/berth/${id}`);
        } });
    }
  }
  return items;
}

function scanStore(ctx: EngineContext): Item[] {
  const items: Item[] = [];
  const now = Date.now();
  const layersDir = join(ctx.paths.root, 'layers');
  const layers = recordedLayers(ctx.db);
  const onDisk = new Set<string>();
  for (const hex of dirNames(layersDir)) {
    if (!HEX64.test(hex)) continue;
    onDisk.add(`sha256:${hex}`);
    const dir = join(layersDir, hex);
    if (layers.has(`sha256:${hex}`) || !olderThanGrace(dir, now)) continue;
    items.push({ kind: 'layer-dir', object: dir, problem: 'no layer record', action: 'remove the directory', repair: () =>
      rmSync(dir, { recursive: true, force: true }) });
  }
  for (const diffId of layers) {
    if (!onDisk.has(diffId))
      items.push({ kind: 'layer', object: diffId, problem: 'its unpacked directory is gone',
        action: 'none: remove and pull or import again the images that use it' });
  }
  const needed = neededBlobDigests(ctx.db);
  const blobsDir = join(ctx.paths.root, 'blobs', 'sha256');
  for (const hex of dirNames(blobsDir)) {
    const path = join(blobsDir, hex);
    if (!HEX64.test(hex) || needed.has(`sha256:${hex}`) || !olderThanGrace(path, now)) continue;
    items.push({ kind: 'blob', object: path, problem: 'no image needs it', action: 'delete it', repair: () => rmSync(path, { force: true }) });
  }
  return items;
}

function scanDatabase(ctx: EngineContext): Item[] {
  return integrityProblems(ctx.db).map((m) => ({
    kind: 'database',
    object: join(ctx.paths.root, 'berth.db'),
    problem: `integrity_check: ${m}`,
    action: 'rebuild the indexes (REINDEX)',
    repair: () => tx(ctx.db, () => reindex(ctx.db)),
  }));
}

/**
 * What ps mends, mended as ps does, and reported: a run that ended unseen or a start cut short
 * held mounts, namespaces, links, rules, a cgroup and processes that are released here, so the
 * host's leftovers and the findings agree.
 */
function reconciled(ctx: EngineContext, found: Finding[], mended: Finding[]): Container[] {
  const prior = new Map(listContainers(ctx).map((c) => [c.id, c.status]));
  const runDirs = new Set(dirNames(runDirsParent(ctx)));
  const list = reconcileAll(ctx);
  const left = new Set(dirNames(runDirsParent(ctx)));
  for (const c of list) {
    const was = prior.get(c.id);
    const ended = was !== undefined && isLive(was) && !isLive(c.status);
    const undone = was !== undefined && !isLive(was) && runDirs.has(c.id) && !left.has(c.id);
    if (!ended && !undone) continue;
    const f: Finding = { kind: 'run', object: `container ${c.name} (${c.id.slice(0, 12)})`,
      problem: ended ? 'its run ended unseen' : 'a start of it was cut short', action: 'release what it held (as ps does)' };
    found.push(f);
    mended.push(f);
  }
  return list;
}

export async function checkSystem(ctx: EngineContext, opts: { repair: boolean }): Promise<CheckReport> {
  // Nothing else can be judged without the records: they are rebuilt first (system recover's work).
  const lost = instancesLoss(ctx.paths.root);
  const head: Finding[] = [];
  const headRepaired: Finding[] = [];
  const headFailed: CheckReport['failed'] = [];
  if (lost) {
    const f: Finding = { kind: 'instances-file', object: lost.file, problem: lost.problem.replace(/^the instances file \S+ is /, ''),
      action: 'rebuild the records from the copies beside them (system recover)' };
    if (!opts.repair) return { findings: [f], repaired: [], failed: [] };
    head.push(f);
    const r = recoverRecords(ctx);
    if (r.skipped.length === 0) headRepaired.push(f);
    else headFailed.push({ finding: f, message: r.skipped.map((x) => `${x.id.slice(0, 12)}: ${x.reason}`).join('; ') });
  }
  const list = reconciled(ctx, head, headRepaired);
  const records = new Map(list.map((c) => [c.id, c]));
  const running = new Set(list.filter((c) => c.status === 'running').map((c) => c.id));
  const known = [...new Set([...records.keys(), ...dirNames(join(ctx.paths.root, 'containers')), ...dirNames(runDirsParent(ctx))])].filter((id) =>
    HEX64.test(id)
  );
  const scope: Scope = { records, running, known };
  // In the order of mending: processes before what they hold, kernel objects before files.
  const items = [
    ...scanDatabase(ctx),
    ...scanProcesses(ctx, scope),
    ...scanRuntimeState(ctx, scope),
    ...scanNetwork(ctx, scope),
    ...scanCgroups(ctx, scope),
    ...scanMounts(ctx, scope),
    ...scanFiles(ctx, scope),
    ...scanStore(ctx),
  ];
  const report: CheckReport = { findings: [...head, ...items.map(plain)], repaired: headRepaired, failed: headFailed };
  if (!opts.repair) return report;
  for (const it of items) {
    if (!it.repair) {
      report.failed.push({ finding: plain(it), message: 'berth cannot mend this' });
      continue;
    }
    let lock;
    if (it.lockId !== undefined) {
      lock = (() => {
        try {
          return lockContainerIfFree(ctx, it.lockId);
        } catch {
          return undefined;
        }
      })();
      if (!lock) {
        report.failed.push({ finding: plain(it), message: 'a berth command is working on this container; try again' });
        continue;
      }
    }
    try {
      it.repair();
      report.repaired.push(plain(it));
    } catch (e) {
      report.failed.push({ finding: plain(it), message: e instanceof Error ? e.message : String(e) });
    } finally {
      lock?.release();
    }
  }
  return report;
}

const plain = (it: Item): Finding => ({ kind: it.kind, object: it.object, problem: it.problem, action: it.action });
