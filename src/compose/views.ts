// What `compose ps` shows of a project: data only, the CLI renders it.
import type { Container, Engine } from '../engine/index.js';
import { LABEL_NUMBER, LABEL_SERVICE } from './model.js';
import { projectContainers } from './project.js';

export interface PsRow {
  container: Container;
  service: string;
  number: number;
  /** "0.0.0.0:8080->80/tcp" as Docker writes them. */
  ports: string[];
  /** "webfarm_private=10.89.1.2"; no address while stopped with a dynamic one. */
  addresses: Array<{ network: string; ip: string | null }>;
}

export async function psRows(engine: Engine, project: string, opts: { all: boolean; services?: readonly string[] }): Promise<PsRow[]> {
  let ctrs = await projectContainers(engine, project, { reconcile: true });
  if (!opts.all) ctrs = ctrs.filter((c) => c.status === 'running');
  if (opts.services && opts.services.length > 0) ctrs = ctrs.filter((c) => opts.services!.includes(c.labels[LABEL_SERVICE] ?? ''));
  const eps = await engine.containers.endpoints(ctrs.map((c) => c.id));
  const ports = new Map(await Promise.all(ctrs.map(async (c) => [c.id, c.spec.networkMode === 'bridge' ? await engine.containers.ports(c.id) : []] as const)));
  return ctrs.map((c) => ({
    container: c,
    service: c.labels[LABEL_SERVICE] ?? '',
    number: Number(c.labels[LABEL_NUMBER] ?? '0'),
    ports: (ports.get(c.id) ?? []).map((b) => `${b.hostIp || '0.0.0.0'}:${b.hostPort}->${b.containerPort}/${b.proto}`),
    addresses: (eps.get(c.id) ?? []).map((e) => ({ network: e.network, ip: e.ip })),
  }));
}
