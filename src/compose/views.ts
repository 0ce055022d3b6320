// What `compose ps` shows of a project: data only, the CLI renders it.
import type { EngineContext } from '../engine/context.js';
import type { Container } from '../engine/containers.js';
import { containerEndpoints } from '../engine/views.js';
import { containerPorts } from '../network/attach.js';
import { networkContext } from '../engine/parts.js';
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

export function psRows(ctx: EngineContext, project: string, opts: { all: boolean; services?: readonly string[] }): PsRow[] {
  let ctrs = projectContainers(ctx, project, { reconcile: true });
  if (!opts.all) ctrs = ctrs.filter((c) => c.status === 'running');
  if (opts.services && opts.services.length > 0) ctrs = ctrs.filter((c) => opts.services!.includes(c.labels[LABEL_SERVICE] ?? ''));
  const eps = containerEndpoints(ctx, ctrs.map((c) => c.id));
  return ctrs.map((c) => ({
    container: c,
    service: c.labels[LABEL_SERVICE] ?? '',
    number: Number(c.labels[LABEL_NUMBER] ?? '0'),
    ports: c.spec.networkMode === 'bridge'
      ? containerPorts(networkContext(ctx), c.id).map((b) => `${b.hostIp || '0.0.0.0'}:${b.hostPort}->${b.containerPort}/${b.proto}`)
      : [],
    addresses: (eps.get(c.id) ?? []).map((e) => ({ network: e.network, ip: e.ip })),
  }));
}
