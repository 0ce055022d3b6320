// -p and -P: host ports bound to a container's ports, recorded at create; the rules that carry
// them are ports.ts's.
import { conflict, unavailable } from '../common/errors.js';
import type { NetCtx } from './context.js';
import { exposedToSpecs, hostBoundPorts, parsePortSpec, type PortSpec, type Proto } from './portspec.js';

export interface PortBinding {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  proto: Proto;
}

const EPHEMERAL = { lo: 32768, hi: 60999 };

/**
 * At create: records published ports. `specs` are `-p` texts; for `-P` pass the image's
 * ExposedPorts keys ("80/tcp"), as an array or as { publishAll: true, exposedPorts }, each given a random host port unless `-p` already
 * maps it. A host port published by another container, or bound by another program, is
 * refused; all or nothing.
 */
export function publishPorts(
  ctx: NetCtx,
  containerId: string,
  specs: readonly string[],
  publishAll: readonly string[] | { publishAll?: boolean; exposedPorts?: readonly string[] } = [],
): PortBinding[] {
  const parsed: PortSpec[] = specs.map(parsePortSpec);
  const exposed = Array.isArray(publishAll) ? publishAll : (publishAll as { publishAll?: boolean; exposedPorts?: readonly string[] });
  const all: readonly string[] = Array.isArray(exposed) ? exposed : exposed.publishAll ? (exposed.exposedPorts ?? []) : [];
  for (const s of exposedToSpecs(all)) {
    if (!parsed.some((p) => p.containerPort === s.containerPort && p.proto === s.proto)) parsed.push(s);
  }
  return ctx.store.transaction(() => {
    const out: PortBinding[] = [];
    // Asked only for the protocols wanted, and not at all when nothing is published.
    const seen = new Map<Proto, Set<number>>();
    const bound = (proto: Proto) => seen.get(proto) ?? seen.set(proto, hostBoundPorts(proto)).get(proto)!;
    for (const s of parsed) {
      let port = s.hostPort;
      if (port === 0) {
        port = randomFreePort(s.proto, (p) => ctx.store.portPublisher(p, s.proto) !== undefined || bound(s.proto).has(p));
      } else {
        const row = ctx.store.portPublisher(port, s.proto);
        if (row) throw conflict('port.in_use', `host port ${port}/${s.proto} is already published by container ${row.name ?? '?'}`);
        if (bound(s.proto).has(port)) throw conflict('port.in_use', `host port ${port}/${s.proto} is already in use by another program`);
      }
      if (!ctx.store.insertPort({ container_id: containerId, host_ip: s.hostIp, host_port: port, container_port: s.containerPort, proto: s.proto })) {
        throw conflict('port.in_use', `host port ${port}/${s.proto} is published twice`);
      }
      out.push({ hostIp: s.hostIp, hostPort: port, containerPort: s.containerPort, proto: s.proto });
    }
    return out;
  });
}

function randomFreePort(proto: Proto, taken: (p: number) => boolean): number {
  const span = EPHEMERAL.hi - EPHEMERAL.lo + 1;
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const p = EPHEMERAL.lo + ((start + i) % span);
    if (!taken(p)) return p;
  }
  throw unavailable('port.exhausted', `no free host port left for ${proto}`);
}

export function containerPorts(ctx: NetCtx, containerId: string): PortBinding[] {
  return ctx.store.portsOf(containerId).map((p) => ({ hostIp: p.host_ip, hostPort: p.host_port, containerPort: p.container_port, proto: p.proto as Proto }));
}
