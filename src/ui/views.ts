// The dashboard's documents, made from the Engine's records: plain JSON shaped for the pages, so
// that the browser code does no joining. Everything comes through the Engine; nothing here reads
// the instances file or the host.
import type { Engine, Container, EndpointView, HealthStatus, PortBinding, NetworkRecord, VolumeInfo } from '../engine/index.js';
import { farmOf, type FarmView } from './farm.js';

export interface ContainerView {
  id: string;
  name: string;
  image: string;
  status: string;
  exitCode: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  addresses: { network: string; ip: string | null }[];
  ports: string[];
  limits: { memory?: number; cpus?: number; pids?: number };
  mounts: { source: string; destination: string; readonly: boolean; named: boolean }[];
  restartCount: number;
  /** Its healthcheck's verdict while it runs, as ps shows it; null without a healthcheck or when stopped. */
  health: HealthStatus | null;
  labels: Record<string, string>;
}

const PROJECT = 'com.docker.compose.project';
const SERVICE = 'com.docker.compose.service';

function portText(p: PortBinding): string {
  return `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.proto}`;
}

function view(c: Container, eps: EndpointView[], ports: PortBinding[], health: HealthStatus | undefined): ContainerView {
  const res = c.spec.resources;
  return {
    id: c.id,
    name: c.name,
    image: c.imageRef,
    status: c.status,
    exitCode: c.exitCode,
    createdAt: c.createdAt,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    addresses: eps.map((e) => ({ network: e.network, ip: e.ip })),
    ports: ports.map(portText),
    limits: {
      ...(res.memory !== undefined ? { memory: res.memory } : {}),
      ...(res.cpus !== undefined ? { cpus: res.cpus } : {}),
      ...(res.pidsLimit !== undefined ? { pids: res.pidsLimit } : {}),
    },
    mounts: c.spec.volumes.map((v) => ({ source: v.source, destination: v.destination, readonly: v.readonly, named: v.named === true })),
    restartCount: c.restartCount,
    health: health ?? null,
    labels: c.labels,
  };
}

export async function containerViews(engine: Engine): Promise<ContainerView[]> {
  const list = await engine.containers.list({ reconcile: true });
  const eps = await engine.containers.endpoints(list.map((c) => c.id));
  const health = await engine.containers.health(list.filter((c) => c.status === 'running').map((c) => c.id));
  const out: ContainerView[] = [];
  for (const c of list) {
    // Published ports are bound only while it runs.
    const ports = c.status === 'running' ? await engine.containers.ports(c.id) : [];
    out.push(view(c, eps.get(c.id) ?? [], ports, health.get(c.id)));
  }
  return out;
}

export async function containerDetail(engine: Engine, ref: string): Promise<{ container: ContainerView; inspect: Record<string, unknown> }> {
  const c = await engine.containers.get(ref);
  const eps = await engine.containers.endpoints([c.id]);
  const ports = c.status === 'running' ? await engine.containers.ports(c.id) : [];
  const health = c.status === 'running' ? (await engine.containers.health([c.id])).get(c.id) : undefined;
  return { container: view(c, eps.get(c.id) ?? [], ports, health), inspect: await engine.containers.inspect(c.id) };
}

export interface NetworkView extends Pick<NetworkRecord, 'name' | 'id' | 'bridge' | 'subnet' | 'gateway' | 'internal'> {
  members: { id: string; name: string; status: string; ip: string | null; ifname: string }[];
}

export async function networkViews(engine: Engine): Promise<NetworkView[]> {
  const nets = await engine.networks.list();
  const ctrs = await engine.containers.list();
  const eps = await engine.containers.endpoints(ctrs.map((c) => c.id));
  return nets.map((n) => ({
    name: n.name,
    id: n.id,
    bridge: n.bridge,
    subnet: n.subnet,
    gateway: n.gateway,
    internal: n.internal,
    members: ctrs.flatMap((c) =>
      (eps.get(c.id) ?? []).filter((e) => e.network === n.name).map((e) => ({ id: c.id, name: c.name, status: c.status, ip: e.ip, ifname: e.ifname }))
    ),
  }));
}

export interface StackService {
  name: string;
  replicas: number;
  running: number;
  /** Host ports its containers publish now (`127.0.0.1:8080->80/tcp`). */
  ports: string[];
  /** The networks its containers are attached to. */
  networks: string[];
  containers: { id: string; name: string; status: string; addresses: ContainerView['addresses'] }[];
}

export interface StackView {
  project: string;
  services: StackService[];
  /** The web farm drawn from it (farm.ts): each service publishing a port, and those it reaches. */
  farm: FarmView[];
}

type StackMember = Pick<ContainerView, 'id' | 'name' | 'status' | 'labels' | 'addresses' | 'ports'>;

/** Compose projects as compose itself finds them: by their containers' labels. */
export function stacksOf(ctrs: readonly StackMember[]): StackView[] {
  const projects = new Map<string, Map<string, StackService>>();
  for (const c of ctrs) {
    const p = c.labels[PROJECT];
    const s = c.labels[SERVICE];
    if (p === undefined || s === undefined) continue;
    const services = projects.get(p) ?? new Map<string, StackService>();
    projects.set(p, services);
    const svc = services.get(s) ?? { name: s, replicas: 0, running: 0, ports: [], networks: [], containers: [] };
    services.set(s, svc);
    svc.replicas++;
    if (c.status === 'running') svc.running++;
    for (const port of c.ports) if (!svc.ports.includes(port)) svc.ports.push(port);
    for (const a of c.addresses) if (!svc.networks.includes(a.network)) svc.networks.push(a.network);
    svc.containers.push({ id: c.id, name: c.name, status: c.status, addresses: c.addresses });
  }
  return [...projects].sort(([a], [b]) => a.localeCompare(b)).map(([project, byName]) => {
    const services = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
    // Replicas in their number's order (web-2 before web-10), not the list's newest first.
    for (const v of services) v.containers.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    return { project, services, farm: farmOf(services) };
  });
}

export async function imageViews(engine: Engine): Promise<{ id: string; repository: string; tag: string; created: string; size: number }[]> {
  return (await engine.images.list()).map((i) => ({ id: i.id, repository: i.repository, tag: i.tag, created: i.created, size: i.size }));
}

export async function volumeViews(engine: Engine): Promise<VolumeInfo[]> {
  return engine.volumes.list();
}
