// The verbs of a compose project on the host: up, down, start, stop, restart and the
// project's containers for ps and logs. A project's objects are found again by their labels,
// so every verb works from the instances file alone, whatever the previous command did.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { conflict, invalid, isBerthError, notFound, unavailable } from '../common/errors.js';
import { validateName } from '../common/ids.js';
import type { EngineContext } from '../engine/context.js';
import {
  createContainer, listContainers, reconcileAll, removeContainer, startContainer, stopContainer, lookup, reconcileOne, type Container,
} from '../engine/containers.js';
import { resolveImage } from '../image/images.js';
import { ensureImage } from '../engine/registry.js';
import { createNetwork, getNetwork, listNetworks, removeNetwork } from '../network/networks.js';
import { imageContext, networkContext } from '../engine/parts.js';
import { waitHealthy } from './health.js';
import { LABEL_HASH, LABEL_NETWORK, LABEL_NUMBER, LABEL_PROJECT, LABEL_SERVICE, type ComposeProject, type ServiceConfig } from './model.js';
import { checkFeasible, createRequest, planService, serviceHash, startOrder, type Existing } from './plan.js';

export type Log = (line: string) => void;

const number = (c: Container) => Number(c.labels[LABEL_NUMBER] ?? '0');

/** The project's containers, by service then replica number. */
export function projectContainers(ctx: EngineContext, project: string, opts: { reconcile?: boolean } = {}): Container[] {
  const all = opts.reconcile ? reconcileAll(ctx) : listContainers(ctx);
  return all
    .filter((c) => c.labels[LABEL_PROJECT] === project)
    .sort((a, b) => (a.labels[LABEL_SERVICE] ?? '').localeCompare(b.labels[LABEL_SERVICE] ?? '') || number(a) - number(b));
}

function serviceContainers(ctx: EngineContext, project: string, service: string): Container[] {
  return projectContainers(ctx, project).filter((c) => c.labels[LABEL_SERVICE] === service);
}

/** Checks what can be checked before anything is made: images, bind sources, external objects. */
export function preflight(ctx: EngineContext, p: ComposeProject, counts: ReadonlyMap<string, number>): void {
  checkFeasible(p, counts, cpus().length);
  for (const s of p.services) {
    try {
      resolveImage(imageContext(ctx).store, s.image);
    } catch (e) {
      if (!isBerthError(e) || e.kind !== 'NotFound') throw e;
      throw notFound('compose.no_image', `service ${s.name}: no such image: ${s.image}`, 'pull, build or import it first (berth pull NAME, berth build, berth image import FILE.tar)');
    }
    for (const v of s.volumes) {
      if (v.type === 'bind' && !existsSync(v.source)) throw notFound('compose.bind_source_missing', `service ${s.name}: bind source ${v.source} does not exist`);
    }
  }
  for (const n of p.networks) if (n.external) getNetwork(networkContext(ctx), n.name);
  for (const v of p.volumes) validateName('volume', v.name);
}

/**
 * Creates the project's networks that do not exist yet; refuses to adopt a stranger's. All or
 * nothing: if one cannot be made (a subnet taken on this host), those made here are removed.
 */
export function ensureNetworks(ctx: EngineContext, p: ComposeProject, log: Log): void {
  const existing = new Map(listNetworks(networkContext(ctx)).map((n) => [n.name, n]));
  for (const n of p.networks) {
    const have = existing.get(n.name);
    if (n.external || !have) continue;
    if (have.labels[LABEL_PROJECT] !== p.name) {
      throw conflict('compose.network_not_ours', `network ${n.name} exists but does not belong to project ${p.name}`, 'remove it, or mark it external: true in the compose file');
    }
    if (have.internal !== n.internal || (n.subnet !== undefined && have.subnet !== n.subnet)) {
      throw conflict('compose.network_changed', `network ${n.name} exists with a different configuration than the compose file's`, `run "berth compose -p ${p.name} down" first, then up`);
    }
  }
  const made: string[] = [];
  try {
    for (const n of p.networks) {
      if (n.external || existing.has(n.name)) continue;
      createNetwork(networkContext(ctx), {
        name: n.name, internal: n.internal,
        ...(n.subnet !== undefined ? { subnet: n.subnet } : {}),
        ...(n.gateway !== undefined ? { gateway: n.gateway } : {}),
        ...(n.ipRange !== undefined ? { ipRange: n.ipRange } : {}),
        labels: { ...n.labels, [LABEL_PROJECT]: p.name, [LABEL_NETWORK]: n.key },
      });
      made.push(n.name);
    }
  } catch (e) {
    for (const name of made.reverse()) {
      try { removeNetwork(networkContext(ctx), name); } catch { /* the first error is the one to report */ }
    }
    throw e;
  }
  for (const name of made) log(` Network ${name}  Created`);
}

export interface UpOptions {
  /** --scale: replica counts that override deploy.replicas. */
  scale?: ReadonlyMap<string, number>;
  /** Only these services (and what they depend on). */
  services?: readonly string[];
  log: Log;
}

function withDependencies(p: ComposeProject, names: readonly string[] | undefined): Set<string> {
  if (!names || names.length === 0) return new Set(p.services.map((s) => s.name));
  const out = new Set<string>();
  const add = (n: string) => {
    const s = p.services.find((x) => x.name === n);
    if (!s) throw notFound('compose.no_such_service', `no such service: ${n}`);
    if (out.has(n)) return;
    out.add(n);
    s.dependsOn.forEach((d) => add(d.service));
  };
  names.forEach(add);
  return out;
}

/**
 * Brings the project to what the file says. Idempotent: containers whose configuration hash
 * is unchanged are left alone (started if stopped), changed ones are recreated, and the
 * replica count is met by creating the lowest free numbers or removing the highest.
 */
export async function up(ctx: EngineContext, p: ComposeProject, o: UpOptions): Promise<Container[]> {
  const wanted = withDependencies(p, o.services);
  // As docker compose does: images not here are pulled (plain-HTTP registries come from registries.json).
  for (const image of new Set(p.services.map((s) => s.image))) {
    await ensureImage(ctx, image, 'missing', { onMissing: () => o.log(`Pulling ${image}`) });
  }
  preflight(ctx, p, o.scale ?? new Map());
  ensureNetworks(ctx, p, o.log);
  const known = new Set(p.services.map((s) => s.name));
  const orphans = projectContainers(ctx, p.name).filter((c) => !known.has(c.labels[LABEL_SERVICE] ?? ''));
  if (orphans.length > 0) o.log(`warning: containers of services no longer in the file: ${orphans.map((c) => c.name).join(', ')} (berth compose down removes them)`);

  for (const s of startOrder(p.services)) {
    if (!wanted.has(s.name)) continue;
    await waitForDependencies(ctx, p, s, o.log);
    await upService({ ctx, p, log: o.log }, s, o.scale?.get(s.name) ?? s.replicas);
  }
  return projectContainers(ctx, p.name);
}

async function waitForDependencies(ctx: EngineContext, p: ComposeProject, s: ServiceConfig, log: Log): Promise<void> {
  for (const d of s.dependsOn) {
    if (d.condition === 'service_started') continue;
    const dep = p.services.find((x) => x.name === d.service)!;
    for (const c of serviceContainers(ctx, p.name, dep.name)) {
      if (d.condition === 'service_healthy') {
        log(` Container ${c.name}  Waiting`);
        await waitHealthy(ctx, c.id, dep.healthcheck!);
        log(` Container ${c.name}  Healthy`);
      } else {
        const done = await waitExited(ctx, c.id);
        if (done.exitCode !== 0) throw unavailable('compose.dependency_failed', `service ${s.name} depends on ${dep.name}, whose container ${c.name} exited with code ${done.exitCode ?? '?'}`);
      }
    }
  }
}

async function waitExited(ctx: EngineContext, id: string): Promise<Container> {
  for (;;) {
    const c = reconcileOne(ctx, lookup(ctx, id));
    if (c.status !== 'running') return c;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** As Compose does: a graceful stop (the container's stop signal, then its timeout), then rm. */
function stopAndRemove(ctx: EngineContext, id: string, timeoutSec?: number): void {
  try {
    stopContainer(ctx, id, timeoutSec);
  } catch {
    // rm -f below stops it the hard way.
  }
  removeContainer(ctx, id, { force: true });
}

/** What every step of one `up` shares. */
interface UpRun { ctx: EngineContext; p: ComposeProject; log: Log }

async function upService(run: UpRun, s: ServiceConfig, want: number): Promise<void> {
  const { ctx, p, log } = run;
  const hash = serviceHash(p, s);
  const existing: Existing[] = serviceContainers(ctx, p.name, s.name).map((c) => ({
    id: c.id, name: c.name, number: number(c), hash: c.labels[LABEL_HASH] ?? '', running: c.status === 'running',
  }));
  const plan = planService(want, hash, existing);
  for (const e of plan.remove) {
    stopAndRemove(ctx, e.id);
    log(` Container ${e.name}  Removed`);
  }
  for (const e of plan.recreate) {
    stopAndRemove(ctx, e.id);
    await createAndStart(run, s, { number: e.number, hash });
    log(` Container ${e.name}  Recreated`);
  }
  for (const n of plan.create) {
    const c = await createAndStart(run, s, { number: n, hash });
    log(` Container ${c.name}  Started`);
  }
  for (const e of plan.keep) {
    if (e.running) {
      log(` Container ${e.name}  Running`);
      continue;
    }
    await startContainer(ctx, e.id);
    log(` Container ${e.name}  Started`);
  }
}

async function createAndStart(run: UpRun, s: ServiceConfig, replica: { number: number; hash: string }): Promise<Container> {
  const c = createContainer(run.ctx, createRequest(run.p, s, replica));
  try {
    return await startContainer(run.ctx, c.id);
  } catch (e) {
    // A replica that cannot start is not left behind half made; the next up tries again.
    try { removeContainer(run.ctx, c.id, { force: true }); } catch { /* keep the first error */ }
    throw e;
  }
}

export interface DownOptions {
  volumes: boolean;
  /** Seconds between the stop signal and SIGKILL; each container's own when absent. */
  timeoutSec?: number;
  /** The parsed file when there is one: its order and its named volumes. */
  project?: ComposeProject;
  log: Log;
}

/** Removes the project's containers and networks (and its named volumes with -v): nothing else. */
export function down(ctx: EngineContext, project: string, o: DownOptions): void {
  const order = o.project ? startOrder(o.project.services).map((s) => s.name).reverse() : [];
  const rank = (c: Container) => {
    const i = order.indexOf(c.labels[LABEL_SERVICE] ?? '');
    return i < 0 ? -1 : i;
  };
  // Dependents first, as Compose stops them: a proxy goes before its servers.
  const ctrs = projectContainers(ctx, project).sort((a, b) => rank(a) - rank(b) || number(b) - number(a));
  for (const c of ctrs) {
    stopAndRemove(ctx, c.id, o.timeoutSec);
    o.log(` Container ${c.name}  Removed`);
  }
  for (const n of listNetworks(networkContext(ctx))) {
    if (n.labels[LABEL_PROJECT] !== project) continue;
    removeNetwork(networkContext(ctx), n.name, { force: true });
    o.log(` Network ${n.name}  Removed`);
  }
  if (o.volumes) {
    if (!o.project) throw invalid('compose.volumes_need_file', 'down -v needs the compose file to know the project\'s volumes', 'run it where the compose file is, or give -f FILE');
    for (const v of o.project.volumes) {
      if (v.external) continue;
      // Named volumes are directories under the root (engine/containers.ts volumeDir); no record
      // keeps them, so the directory is the volume.
      const dir = join(ctx.paths.root, 'volumes', validateName('volume', v.name));
      if (!existsSync(dir)) continue;
      rmSync(dir, { recursive: true, force: true });
      o.log(` Volume ${v.name}  Removed`);
    }
  }
}

function selected(ctx: EngineContext, project: string, services: readonly string[]): Container[] {
  const ctrs = projectContainers(ctx, project);
  if (ctrs.length === 0) throw notFound('compose.no_containers', `project ${project} has no containers`, 'bring it up first: berth compose up -d');
  for (const s of services) {
    if (!ctrs.some((c) => c.labels[LABEL_SERVICE] === s)) throw notFound('compose.no_such_service', `no such service in project ${project}: ${s}`);
  }
  return services.length === 0 ? ctrs : ctrs.filter((c) => services.includes(c.labels[LABEL_SERVICE] ?? ''));
}

function ordered(ctrs: Container[], p: ComposeProject | undefined, reverse: boolean): Container[] {
  if (!p) return ctrs;
  const order = startOrder(p.services).map((s) => s.name);
  const sorted = [...ctrs].sort((a, b) => order.indexOf(a.labels[LABEL_SERVICE] ?? '') - order.indexOf(b.labels[LABEL_SERVICE] ?? '') || number(a) - number(b));
  return reverse ? sorted.reverse() : sorted;
}

export function stop(ctx: EngineContext, project: string, o: { services: readonly string[]; project?: ComposeProject; timeoutSec?: number; log: Log }): void {
  for (const c of ordered(selected(ctx, project, o.services), o.project, true)) {
    stopContainer(ctx, c.id, o.timeoutSec);
    o.log(` Container ${c.name}  Stopped`);
  }
}

export async function start(ctx: EngineContext, project: string, o: { services: readonly string[]; project?: ComposeProject; log: Log }): Promise<void> {
  for (const c of ordered(selected(ctx, project, o.services), o.project, false)) {
    await startContainer(ctx, c.id);
    o.log(` Container ${c.name}  Started`);
  }
}

export async function restart(ctx: EngineContext, project: string, o: { services: readonly string[]; project?: ComposeProject; timeoutSec?: number; log: Log }): Promise<void> {
  stop(ctx, project, { ...o, log: () => {} });
  await start(ctx, project, { ...o, log: (l) => o.log(l.replace('Started', 'Restarted')) });
}
