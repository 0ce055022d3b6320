// `-p` and `-P` as Docker reads them (pure), and which host ports are taken (hostBoundPorts asks the host).
import { run } from '../sys/exec.js';
import { boundPortsFromProc } from '../sys/sockets.js';
import { invalid } from '../common/errors.js';
import { isIPv4 } from './ipam.js';

export type Proto = 'tcp' | 'udp';

export interface PortSpec {
  /** '' means every host address. */
  hostIp: string;
  /** 0 means "pick a free one", as `-p 80` and `-P` do. */
  hostPort: number;
  containerPort: number;
  proto: Proto;
}

function port(text: string, spec: string, allowZero: boolean): number {
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n > 65535 || (n === 0 && !allowZero)) {
    throw invalid('port.bad_spec', `invalid port "${text}" in -p ${spec}`, 'use [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]');
  }
  return n;
}

/** Parses `[HOSTIP:][HOSTPORT:]CTRPORT[/tcp|/udp]`. */
export function parsePortSpec(spec: string): PortSpec {
  const [addr, protoText, ...extra] = spec.split('/');
  const proto = (protoText ?? 'tcp').toLowerCase();
  if (extra.length > 0 || addr === undefined || (proto !== 'tcp' && proto !== 'udp')) {
    throw invalid('port.bad_spec', `invalid port mapping -p ${spec}`, 'use [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]');
  }
  const parts = addr.split(':');
  let hostIp = '';
  let hostPort = '0';
  let ctr: string;
  if (parts.length === 1) ctr = parts[0]!;
  else if (parts.length === 2) [hostPort, ctr] = [parts[0]!, parts[1]!];
  else if (parts.length === 3) [hostIp, hostPort, ctr] = [parts[0]!, parts[1]! || '0', parts[2]!];
  else throw invalid('port.bad_spec', `invalid port mapping -p ${spec}`, 'IPv6 host addresses are not supported');
  if (hostIp !== '' && !isIPv4(hostIp)) throw invalid('port.bad_spec', `invalid host address "${hostIp}" in -p ${spec}`);
  return { hostIp: hostIp === '0.0.0.0' ? '' : hostIp, hostPort: port(hostPort, spec, true), containerPort: port(ctr, spec, false), proto };
}

/** `-P`: the image's ExposedPorts keys ("80/tcp") each get a random host port. */
export function exposedToSpecs(exposed: readonly string[]): PortSpec[] {
  return exposed.map((e) => parsePortSpec(e.includes('/') ? e : `${e}/tcp`));
}

/**
 * Ports some process of the host namespace listens on (TCP) or is bound to (UDP): read from
 * /proc/net, or asked of `ss` when those tables are long (sys/sockets.ts says why).
 */
export function hostBoundPorts(proto: Proto): Set<number> {
  const fromProc = boundPortsFromProc(proto);
  if (fromProc) return fromProc;
  const out = new Set<number>();
  const r = run('ss', ['-H', '-l', '-n', proto === 'tcp' ? '-t' : '-u'], { allowFail: true });
  if (r.status !== 0) return boundPortsFromProc(proto, Infinity) ?? out;
  for (const line of r.stdout.split('\n')) {
    const local = line.trim().split(/\s+/)[3];
    const port = local ? Number(local.slice(local.lastIndexOf(':') + 1)) : NaN;
    if (Number.isInteger(port)) out.add(port);
  }
  return out;
}
