// `compose config`: the project as berth understood it, written back as a compose file that
// berth would read to the same project (names resolved, defaults filled in, units in bytes).
import { stringify } from 'yaml';
import type { ComposeProject, ServiceConfig } from './model.js';

const ms = (n: number) => (n % 1000 === 0 ? `${n / 1000}s` : `${n}ms`);

function service(s: ServiceConfig): Record<string, unknown> {
  const o: Record<string, unknown> = { image: s.image };
  if (s.entrypoint) o.entrypoint = s.entrypoint;
  if (s.command) o.command = s.command;
  if (Object.keys(s.environment).length > 0) o.environment = s.environment;
  if (s.workingDir !== undefined) o.working_dir = s.workingDir;
  if (s.user !== undefined) o.user = s.user;
  if (s.hostname !== undefined) o.hostname = s.hostname;
  if (Object.keys(s.labels).length > 0) o.labels = s.labels;
  if (s.ports.length > 0) o.ports = s.ports;
  o.networks = Object.fromEntries(s.networks.map((n) => {
    const v: Record<string, unknown> = {};
    if (n.aliases.length > 0) v.aliases = n.aliases;
    if (n.ipv4Address !== undefined) v.ipv4_address = n.ipv4Address;
    return [n.key, Object.keys(v).length > 0 ? v : null];
  }));
  if (s.volumes.length > 0) o.volumes = s.volumes.map((v) => ({ type: v.type, source: v.source, target: v.target, read_only: v.readOnly }));
  o.restart = s.restart;
  if (s.dependsOn.length > 0) o.depends_on = Object.fromEntries(s.dependsOn.map((d) => [d.service, { condition: d.condition }]));
  const limits: Record<string, unknown> = {};
  if (s.resources.memory !== undefined) limits.memory = s.resources.memory;
  if (s.resources.cpus !== undefined) limits.cpus = s.resources.cpus;
  if (s.resources.pidsLimit !== undefined) limits.pids = s.resources.pidsLimit;
  o.deploy = { replicas: s.replicas, ...(Object.keys(limits).length > 0 ? { resources: { limits } } : {}) };
  const b = s.resources.blkio;
  const blkio: Record<string, unknown> = {};
  if (b.readBps.length > 0) blkio.device_read_bps = b.readBps;
  if (b.writeBps.length > 0) blkio.device_write_bps = b.writeBps;
  if (b.readIops.length > 0) blkio.device_read_iops = b.readIops;
  if (b.writeIops.length > 0) blkio.device_write_iops = b.writeIops;
  if (Object.keys(blkio).length > 0) o.blkio_config = blkio;
  if (s.healthcheck) {
    const h = s.healthcheck;
    o.healthcheck = { test: ['CMD', ...h.test], interval: ms(h.intervalMs), timeout: ms(h.timeoutMs), retries: h.retries, start_period: ms(h.startPeriodMs) };
  }
  if (s.stopGracePeriodSec !== undefined) o.stop_grace_period = `${s.stopGracePeriodSec}s`;
  return o;
}

export function projectToYaml(p: ComposeProject): string {
  const doc: Record<string, unknown> = { name: p.name, services: Object.fromEntries(p.services.map((s) => [s.name, service(s)])) };
  if (p.networks.length > 0) {
    doc.networks = Object.fromEntries(p.networks.map((n) => {
      const v: Record<string, unknown> = { name: n.name };
      if (n.external) v.external = true;
      else {
        v.driver = 'bridge';
        if (n.internal) v.internal = true;
        if (n.subnet !== undefined) {
          v.ipam = { config: [{ subnet: n.subnet, ...(n.gateway ? { gateway: n.gateway } : {}), ...(n.ipRange ? { ip_range: n.ipRange } : {}) }] };
        }
      }
      if (Object.keys(n.labels).length > 0) v.labels = n.labels;
      return [n.key, v];
    }));
  }
  if (p.volumes.length > 0) {
    doc.volumes = Object.fromEntries(p.volumes.map((v) => [v.key, {
      name: v.name, ...(v.external ? { external: true } : {}), ...(Object.keys(v.labels).length > 0 ? { labels: v.labels } : {}),
    }]));
  }
  return stringify(escapeDollars(doc), { lineWidth: 0 });
}

/** Values were interpolated once already; $$ keeps a literal $ literal when the output is read again. */
function escapeDollars(v: unknown): unknown {
  if (typeof v === 'string') return v.replaceAll('$', '$$$$');
  if (Array.isArray(v)) return v.map(escapeDollars);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, escapeDollars(x)]));
  return v;
}
