// Published ports in berth's engine syntax, [HOSTIP:][HOSTPORT:]CTRPORT[/PROTO], read into the
// parts a Kubernetes containerPort has. The compose loader has already checked the syntax.
export interface PortParts {
  hostIp?: string;
  /** Absent: not published on the host. 0: any free port. */
  hostPort?: number;
  containerPort: number;
  protocol: 'TCP' | 'UDP';
}

export function portParts(spec: string): PortParts {
  const [addr = '', proto = 'tcp'] = spec.split('/');
  const parts = addr.split(':');
  const ctr = Number(parts[parts.length - 1]);
  const out: PortParts = { containerPort: ctr, protocol: proto.toLowerCase() === 'udp' ? 'UDP' : 'TCP' };
  if (parts.length >= 2) out.hostPort = Number(parts[parts.length - 2] || '0');
  if (parts.length === 3 && parts[0] && parts[0] !== '0.0.0.0') out.hostIp = parts[0];
  return out;
}

/** The other way: a containerPort with hostPort back into engine syntax. */
export function portSpec(p: PortParts): string {
  const host = p.hostPort === undefined ? '' : `${p.hostIp ? `${p.hostIp}:` : ''}${p.hostPort}:`;
  return `${host}${p.containerPort}/${p.protocol.toLowerCase()}`;
}
