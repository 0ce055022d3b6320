// The verbs of a compose project on the host: up, down, start, stop, restart and the
// project's containers for ps and logs. A project's objects are found again by their labels,
// so every verb works from the instances file alone, whatever the previous command did.
import { step } from '../common/fault.js';
import { existsSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { conflict, invalid, notFound, unavailable } from '../common/errors.js';
import { validateName } from '../common/ids.js';
import type { Container, Engine } from '../engine/index.js';
import { waitHealthy } from './health.js';
import { LABEL_HASH, LABEL_NETWORK, LABEL_NUMBER, LABEL_ONEOFF, LABEL_PROJECT, LABEL_SERVICE, type ComposeProject, type ServiceConfig } from './model.js';
import { removeContainerFiles, removeProjectFiles, withOwnFiles } from './secret-files.js';
import { checkFeasible, containerName, createRequest, planService, serviceHash, startOrder, withRestartDependents, type Existing } from './plan.js';

export type Log = (line: string) => void;

const number = (c: Container) => Number(c.labels[LABEL_NUMBER] ?? '0');

/** The project's containers, by service then replica number. */
export async function projectContainers(engine: Engine, project: string, opts: { reconcile?: boolean } = {}): Promise<Container[]> {
  const all = await engine.containers.list({ reconcile: opts.reconcile === true });
  return all
    .filter((c) => c.labels[LABEL_PROJECT] === project)
    .sort((a, b) => (a.labels[LABEL_SERVICE] ?? '').localeCompare(b.labels[LABEL_SERVICE] ?? '') || number(a) - number(b));
}

async function serviceContainers(engine: Engine, project: string, service: string): Promise<Container[]> {
  // One-off containers of `compose run` are not replicas: up neither counts nor recreates them.
  return (await projectContainers(engine, project)).filter((c) => c.labels[LABEL_SERVICE] === service && c.labels[LABEL_ONEOFF] !== 'True');
}

/** Checks what can be checked before anything is made: images, bind sources, external objects. */
export async function preflight(engine: Engine, p: ComposeProject, counts: ReadonlyMap<string, number>, only?: ReadonlySet<string>): Promise<void> {
  checkFeasible(p, counts, cpus().length);
  for (const s of p.services) {
    if (only && !only.has(s.name)) continue;
    if (!await engine.images.exists(s.image)) {
      throw notFound('compose.no_image', `service ${s.name}: no such image: ${s.image}`,
        'pull, build or import it first (berth pull NAME, berth build, berth image import FILE.tar)');
    }
    for (const v of s.volumes) {
      if (v.type === 'bind' && !v.createHostPath && !existsSync(v.source)) {
        throw notFound('compose.bind_source_missing', `service ${s.name}: bind source ${v.source} does not exist`,
          'create it, or set bind.create_host_path: true for up to make it');
      }
    }
    for (const d of s.host?.devices ?? []) {
      if (!existsSync(d.pathOnHost)) throw notFound('compose.device_missing', `service ${s.name}: device ${d.pathOnHost} does not exist on this host`);
    }
    for (const f of [...s.secrets, ...s.configs]) {
      if (f.environment !== undefined && f.data === undefined)
        throw invalid('compose.secret_unset', `service ${s.name}: ${f.source}: the environment variable ${f.environment} is not set`);
      if (f.file !== undefined && !existsSync(f.file)) throw notFound('compose.file_missing', `service ${s.name}: ${f.source}: file ${f.file} does not exist`);
    }
  }
  for (const n of p.networks) if (n.external) await engine.networks.get(n.name);
  for (const v of p.volumes) validateName('volume', v.name);
}

/**
 * Rootless berth has no bridges (engine: checkRootlessNetworks): the project's networks are not
 * made, and every service runs on the default, user-mode network, where the services reach each
 * other through their published ports only. Said once, as a warning; an external network, which
 * cannot exist, is refused.
 */
export function onUserModeNetwork(p: ComposeProject, log: Log): ComposeProject {
  const ext = p.networks.find((n) => n.external);
  if (ext)
    throw invalid('compose.rootless_network', `network ${ext.name} is external: rootless berth has only the default, user-mode network`, 'run berth as root');
  const named = p.services.some((s) => s.networkMode === 'bridge' && s.networks.some((n) => n.ipv4Address !== undefined || n.aliases.length > 0));
  if (p.networks.length > 0 || named) {
    log(
      `warning: rootless: the networks of project ${p.name} are not made; its services run on the user-mode network and reach each other only through published ports`,
    );
  }
  return { ...p, networks: [], services: p.services.map((s) => ({ ...s, networks: [] })) };
}

/**
 * Creates the project's networks that do not exist yet; refuses to adopt a stranger's. All or
 * nothing: if one cannot be made (a subnet taken on this host), those made here are removed.
 */
export async function ensureNetworks(engine: Engine, p: ComposeProject, log: Log): Promise<void> {
  const existing = new Map((await engine.networks.list()).map((n) => [n.name, n]));
  for (const n of p.networks) {
    const have = existing.get(n.name);
    if (n.external || !have) continue;
    if (have.labels[LABEL_PROJECT] !== p.name) {
      throw conflict('compose.network_not_ours', `network ${n.name} exists but does not belong to project ${p.name}`,
        'remove it, or mark it external: true in the compose file');
    }
    if (have.internal !== n.internal || (n.subnet !== undefined && have.subnet !== n.subnet)) {
      throw conflict('compose.network_changed', `network ${n.name} exists with a different configuration than the compose file's`,
        `run "berth compose -p ${p.name} down" first, then up`);
    }
  }
  const made: string[] = [];
  try {
    for (const n of p.networks) {
      if (n.external || existing.has(n.name)) continue;
      await engine.networks.create({
        name: n.name,
        internal: n.internal,
        ...(n.subnet !== undefined ? { subnet: n.subnet } : {}),
        ...(n.gateway !== undefined ? { gateway: n.gateway } : {}),
        ...(n.ipRange !== undefined ? { ipRange: n.ipRange } : {}),
        labels: { ...n.labels, [LABEL_PROJECT]: p.name, [LABEL_NETWORK]: n.key },
      });
      made.push(n.name);
    }
  } catch (e) {
    for (const name of made.reverse()) {
      try {
        await engine.networks.remove(name);
      } catch { /* the first error is the one to report */ }
    }
    throw e;
  }
  for (const name of made) log(` Network ${name}  Created`);
}

export interface UpOptions {
  /** --scale: replica counts that override deploy.replicas. */
  scale?: ReadonlyMap<string, number>;
  /** Only these services (and what they depend on, unless noDeps). */
  services?: readonly string[];
  /** --build: build every service with a build: section first; --no-build: never build. */
  build?: 'always' | 'never';
  /** --pull: overrides each service's pull_policy. */
  pull?: 'always' | 'missing' | 'never';
  forceRecreate?: boolean;
  noRecreate?: boolean;
  /** create: containers are made but not started. */
  noStart?: boolean;
  noDeps?: boolean;
  removeOrphans?: boolean;
  /** Only the images (built or pulled) and the networks: compose run, before its one-off. */
  prepareOnly?: boolean;
  /** -t: for the containers that are stopped to be recreated or removed. */
  timeoutSec?: number;
  log: Log;
}

function withDependencies(p: ComposeProject, names: readonly string[] | undefined, noDeps = false): Set<string> {
  if (!names || names.length === 0) return new Set(p.services.map((s) => s.name));
  const out = new Set<string>();
  const add = (n: string) => {
    const s = p.services.find((x) => x.name === n);
    if (!s) throw notFound('compose.no_such_service', `no such service: ${n}`);
    if (out.has(n)) return;
    out.add(n);
    if (!noDeps) s.dependsOn.forEach((d) => add(d.service));
  };
  names.forEach(add);
  return out;
}

/** Builds or pulls what the wanted services run, as docker compose does before it creates anything. */
async function ensureImages(engine: Engine, p: ComposeProject, wanted: ReadonlySet<string>, o: UpOptions): Promise<void> {
  const seen = new Set<string>();
  for (const s of p.services) {
    if (!wanted.has(s.name)) continue;
    const policy = o.pull ?? s.pullPolicy;
    if (s.build && o.build !== 'never' && policy !== 'always') {
      // A service that builds is built, not pulled, when its image is missing (or when asked).
      if (o.build === 'always' || s.pullPolicy === 'build' || !await engine.images.exists(s.image)) {
        const { buildService } = await import('./build.js');
        await buildService(engine, s, { noCache: false, pull: false, log: o.log });
      }
      continue;
    }
    const key = `${policy} ${s.image}`;
    if (seen.has(key)) continue;
    seen.add(key);
    await engine.images.ensure(s.image, policy === 'build' ? 'missing' : policy, { onMissing: () => o.log(`Pulling ${s.image}`) });
  }
}

/**
 * Brings the project to what the file says. Idempotent: containers whose configuration hash
 * is unchanged are left alone (started if stopped), changed ones are recreated, and the
 * replica count is met by creating the lowest free numbers or removing the highest.
 */
export async function up(engine: Engine, p: ComposeProject, o: UpOptions): Promise<Container[]> {
  const wanted = withDependencies(p, o.services, o.noDeps);
  await ensureImages(engine, p, wanted, o);
  await preflight(engine, p, o.scale ?? new Map(), wanted);
  if (await engine.system.rootless()) p = onUserModeNetwork(p, o.log);
  else await ensureNetworks(engine, p, o.log);
  step('compose.networks');
  if (o.prepareOnly) return [];
  const known = new Set(p.services.map((s) => s.name));
  const orphans = (await projectContainers(engine, p.name)).filter((c) => !known.has(c.labels[LABEL_SERVICE] ?? '') && c.labels[LABEL_ONEOFF] !== 'True');
  if (orphans.length > 0 && o.removeOrphans) {
    for (const c of orphans) {
      await stopAndRemove(engine, c.id, o.timeoutSec);
      o.log(` Container ${c.name}  Removed`);
    }
  } else if (orphans.length > 0) {
    o.log(`warning: Found orphan containers (${orphans.map((c) => c.name).join(', ')}) for this project. `
      + 'If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.');
  }

  for (const s of startOrder(p.services)) {
    if (!wanted.has(s.name)) continue;
    if (!o.noStart) await waitForDependencies(engine, p, s, o.log);
    await upService({ engine, p, o }, s, o.scale?.get(s.name) ?? s.replicas);
  }
  return projectContainers(engine, p.name);
}

async function waitForDependencies(engine: Engine, p: ComposeProject, s: ServiceConfig, log: Log): Promise<void> {
  for (const d of s.dependsOn) {
    if (d.condition === 'service_started') continue;
    const dep = p.services.find((x) => x.name === d.service)!;
    for (const c of await serviceContainers(engine, p.name, dep.name)) {
      if (d.condition === 'service_healthy') {
        log(` Container ${c.name}  Waiting`);
        await waitHealthy(engine, c.id, dep.healthcheck!);
        log(` Container ${c.name}  Healthy`);
      } else {
        const done = await engine.containers.wait(c.id);
        if (done.exitCode !== 0)
          throw unavailable('compose.dependency_failed',
            `service ${s.name} depends on ${dep.name}, whose container ${c.name} exited with code ${done.exitCode ?? '?'}`);
      }
    }
  }
}

/** As Compose does: a graceful stop (the container's stop signal, then its timeout), then rm. */
async function stopAndRemove(engine: Engine, id: string, timeoutSec?: number): Promise<void> {
  try {
    await engine.containers.stop(id, timeoutSec === undefined ? {} : { timeoutSec });
  } catch {
    // rm -f below stops it the hard way.
  }
  await engine.containers.remove(id, { force: true });
}

/**
 * As Compose (the Docker daemon) does for the short syntax: a missing bind source becomes an
 * empty directory, left in place by down. Made just before the container that binds it.
 */
export function makeBindSources(s: ServiceConfig): void {
  for (const v of s.volumes) if (v.type === 'bind' && v.createHostPath && !existsSync(v.source)) mkdirSync(v.source, { recursive: true });
}

/** The ids of the containers whose namespaces a service shares through service:NAME, by kind. */
async function sharedTargets(engine: Engine, p: ComposeProject, s: ServiceConfig): Promise<Map<'network' | 'pid' | 'ipc', string | null>> {
  const out = new Map<'network' | 'pid' | 'ipc', string | null>();
  for (const [kind, v] of Object.entries(s.namespaces ?? {}) as ['network' | 'pid' | 'ipc', string][]) {
    const m = /^service:(.+)$/.exec(v);
    if (!m) continue;
    const other = p.services.find((x) => x.name === m[1]);
    const name = other?.containerName ?? containerName(p.name, m[1]!, 1);
    out.set(kind, await engine.containers.get(name).then((c) => c.id, () => null));
  }
  return out;
}

/** A container that joined a namespace of a container since recreated holds the old one: recreate it too. */
function staleShare(c: Container, shares: ReadonlyMap<'network' | 'pid' | 'ipc', string | null>): boolean {
  for (const [kind, id] of shares) if (c.spec.shared?.[kind] !== id) return true;
  return false;
}

/** What every step of one `up` shares. */
interface UpRun {
  engine: Engine;
  p: ComposeProject;
  o: UpOptions;
}

const bareId = (id: string) => id.replace(/^sha256:/, '');

async function upService(run: UpRun, s: ServiceConfig, want: number): Promise<void> {
  const { engine, p, o } = run;
  const log = o.log;
  const hash = serviceHash(p, s);
  // A container of an image since rebuilt or pulled again is out of date too, as in Compose.
  const imageId = bareId((await engine.images.inspect(s.image)).Id);
  const shares = await sharedTargets(engine, p, s);
  const existing: Existing[] = (await serviceContainers(engine, p.name, s.name)).map((c) => ({
    id: c.id,
    name: c.name,
    number: number(c),
    hash: o.forceRecreate || bareId(c.imageId) !== imageId || staleShare(c, shares) ? '' : c.labels[LABEL_HASH] ?? '',
    running: c.status === 'running',
  }));
  const plan = planService(want, o.noRecreate ? null : hash, existing);
  const make = async (n: number) => {
    const name = s.containerName ?? containerName(p.name, s.name, n);
    makeBindSources(s);
    const req = createRequest(p, await withOwnFiles(engine, p.name, s, name), { number: n, hash });
    try {
      return o.noStart ? await engine.containers.create(req) : await engine.containers.run(req);
    } catch (e) {
      // The engine removed the container it could not start; the files written for it go too.
      removeContainerFiles(engine, p.name, name);
      throw e;
    }
  };
  for (const e of plan.remove) {
    await stopAndRemove(engine, e.id, o.timeoutSec);
    log(` Container ${e.name}  Removed`);
  }
  for (const e of plan.recreate) {
    await stopAndRemove(engine, e.id, o.timeoutSec);
    await make(e.number);
    log(` Container ${e.name}  Recreated`);
  }
  for (const n of plan.create) {
    // A replica that cannot start is not left behind half made; the next up tries again.
    const c = await make(n);
    log(` Container ${c.name}  ${o.noStart ? 'Created' : 'Started'}`);
  }
  for (const e of plan.keep) {
    if (e.running || o.noStart) {
      log(` Container ${e.name}  ${e.running ? 'Running' : 'Created'}`);
      continue;
    }
    await engine.containers.start(e.id);
    log(` Container ${e.name}  Started`);
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
export async function down(engine: Engine, project: string, o: DownOptions): Promise<void> {
  const order = o.project ? startOrder(o.project.services).map((s) => s.name).reverse() : [];
  const rank = (c: Container) => {
    const i = order.indexOf(c.labels[LABEL_SERVICE] ?? '');
    return i < 0 ? -1 : i;
  };
  // Dependents first, as Compose stops them: a proxy goes before its servers.
  const ctrs = (await projectContainers(engine, project)).sort((a, b) => rank(a) - rank(b) || number(b) - number(a));
  for (const c of ctrs) {
    await stopAndRemove(engine, c.id, o.timeoutSec);
    o.log(` Container ${c.name}  Removed`);
  }
  step('compose.containers');
  removeProjectFiles(engine, project);
  for (const n of await engine.networks.list()) {
    if (n.labels[LABEL_PROJECT] !== project) continue;
    await engine.networks.remove(n.name, { force: true });
    o.log(` Network ${n.name}  Removed`);
  }
  if (o.volumes) {
    if (!o.project)
      throw invalid('compose.volumes_need_file', "down -v needs the compose file to know the project's volumes",
        'run it where the compose file is, or give -f FILE');
    for (const v of o.project.volumes) {
      if (v.external) continue;
      if (await engine.volumes.remove(v.name)) o.log(` Volume ${v.name}  Removed`);
    }
  }
}

async function selected(engine: Engine, project: string, services: readonly string[]): Promise<Container[]> {
  const ctrs = await projectContainers(engine, project);
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

export async function stop(engine: Engine, project: string,
  o: { services: readonly string[]; project?: ComposeProject; timeoutSec?: number; log: Log }): Promise<void>
{
  for (const c of ordered(await selected(engine, project, o.services), o.project, true)) {
    await engine.containers.stop(c.id, o.timeoutSec === undefined ? {} : { timeoutSec: o.timeoutSec });
    o.log(` Container ${c.name}  Stopped`);
  }
}

export async function start(engine: Engine, project: string, o: { services: readonly string[]; project?: ComposeProject; log: Log }): Promise<void> {
  for (const c of ordered(await selected(engine, project, o.services), o.project, false)) {
    await engine.containers.start(c.id);
    o.log(` Container ${c.name}  Started`);
  }
}

export async function restart(engine: Engine, project: string,
  o: { services: readonly string[]; project?: ComposeProject; timeoutSec?: number; log: Log }): Promise<void>
{
  if (o.project) {
    const running = new Set((await projectContainers(engine, project)).map((c) => c.labels[LABEL_SERVICE] ?? ''));
    o = { ...o, services: withRestartDependents(o.project.services, o.services).filter((s) => o.services.includes(s) || running.has(s)) };
  }
  await stop(engine, project, { ...o, log: () => {} });
  await start(engine, project, { ...o, log: (l) => o.log(l.replace('Started', 'Restarted')) });
}
