// ps --format's row: Docker's ContainerContext fields, each printed as Docker prints it, and
// berth's Limits. Pure, so the text of each is tested without a root.
import type { Container, PortBinding } from '../../engine/index.js';
import { humanDuration } from '../../common/units.js';
import { shortId } from '../../common/ids.js';
import { truncate } from '../render.js';
import { goSize, goTime, labelFields } from '../list-format.js';
import { limitsText } from './ps-limits.js';

/** The fields of ps --format's templates, Docker's names, with their table headers. */
export const PS_COLUMNS = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  Status: 'STATUS',
  State: 'STATE',
  Size: 'SIZE',
  Names: 'NAMES',
  Platform: 'PLATFORM',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
  Limits: 'LIMITS',
};

export interface PsRowInput {
  now: number;
  noTrunc: boolean;
  status: string;
  networks: readonly string[];
  ports: readonly PortBinding[];
  /** The writable layer's bytes and the image's, when ps was asked for sizes. */
  size?: { rw: number; image: number };
}

/**
 * Docker's DisplayablePorts: bindings sorted by container port, consecutive ports that publish
 * to the same port number folded into a range, and the others as HOST:PORT->PORT/PROTO.
 */
export function displayablePorts(ports: readonly { ip: string; publicPort?: number; privatePort: number; type: string }[]): string {
  const sorted = [...ports].sort((a, b) =>
    a.privatePort - b.privatePort || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0) || (a.publicPort ?? 0) - (b.publicPort ?? 0) || (a.type < b.type ? -1 : 1)
  );
  const groups = new Map<string, { first: number; last: number }>();
  const order: string[] = [];
  const result: string[] = [];
  const hostMappings: string[] = [];
  const form = (key: string, g: { first: number; last: number }) => {
    const [a, b] = key.split('/') as [string, string?];
    const [ip, type] = b === undefined ? ['', a] : [a, b];
    let range = g.first === g.last ? String(g.first) : `${g.first}-${g.last}`;
    if (ip !== '') range = `${ip}:${range}->${range}`;
    return `${range}/${type}`;
  };
  for (const p of sorted) {
    let key = p.type;
    if (p.ip !== '') {
      if (p.publicPort !== p.privatePort) {
        const host = p.ip.includes(':') ? `[${p.ip}]` : p.ip;
        hostMappings.push(`${host}:${p.publicPort ?? 0}->${p.privatePort}/${p.type}`);
        continue;
      }
      key = `${p.ip}/${p.type}`;
    }
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { first: p.privatePort, last: p.privatePort });
      order.push(key);
    } else if (p.privatePort === g.last + 1) g.last = p.privatePort;
    else {
      result.push(form(key, g));
      groups.set(key, { first: p.privatePort, last: p.privatePort });
    }
  }
  for (const key of order) result.push(form(key, groups.get(key)!));
  return [...result, ...hostMappings].join(', ');
}

export function psRow(x: Container, o: PsRowInput): Record<string, unknown> {
  const args = x.spec.args.join(' ');
  return {
    ID: o.noTrunc ? x.id : shortId(x.id),
    Image: x.imageRef,
    Command: JSON.stringify(o.noTrunc ? args : truncate(args, 20)),
    CreatedAt: goTime(x.createdAt),
    RunningFor: `${humanDuration(o.now - Date.parse(x.createdAt))} ago`,
    Ports: displayablePorts(o.ports.map((b) => ({ ip: b.hostIp || '0.0.0.0', publicPort: b.hostPort, privatePort: b.containerPort, type: b.proto }))),
    Status: o.status,
    State: x.status,
    // Docker's Size is 0B unless sizes were asked for (ps -s, or a template that names .Size).
    Size: o.size === undefined ? '0B' : o.size.image > 0 ? `${goSize(o.size.rw)} (virtual ${goSize(o.size.rw + o.size.image)})` : goSize(o.size.rw),
    Names: x.name,
    // Docker 28's: the image manifest's platform, which the API gives only with a manifest descriptor.
    Platform: null,
    ...labelFields(x.labels),
    Mounts: x.spec.volumes.map((m) => (o.noTrunc ? m.source : truncate(m.source, 15))).join(','),
    LocalVolumes: String(x.spec.volumes.filter((m) => m.named).length),
    Networks: x.spec.networkMode === 'bridge' ? [...o.networks].sort().join(',') : x.spec.networkMode,
    Limits: limitsText(x.spec.resources),
  };
}
