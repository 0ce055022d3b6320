// Read-only views of containers for ps and inspect, in Docker's shapes.
import { join } from 'node:path';
import type { EngineContext } from './context.js';
import { containerDir, containerRunDir, logPath } from './context.js';
import type { Container } from './containers.js';
import { containerPorts, type PortBinding } from '../network/attach.js';
import type { ContainerSpec } from './types.js';
import { networkContext } from './parts.js';
import { allEndpoints } from '../state/endpoints.js';
import { networkAddressing } from '../state/networks.js';
import { portsOfContainer } from '../state/ports.js';
import { allHealth, getHealth, type HealthStatus } from '../state/health.js';
import type { Healthcheck } from './types.js';
import { namespaceModes } from './namespaces.js';

export interface EndpointView {
  network: string;
  ifname: string;
  ip: string | null;
  mac: string | null;
  aliases: string[];
}

export function containerEndpoints(ctx: EngineContext, ids: string[]): Map<string, EndpointView[]> {
  const m = new Map<string, EndpointView[]>();
  if (ids.length === 0) return m;
  const rows = allEndpoints(ctx.db);
  const wanted = new Set(ids);
  for (const r of rows) {
    if (!wanted.has(r.container_id)) continue;
    const list = m.get(r.container_id) ?? [];
    list.push({ network: r.network, ifname: r.ifname, ip: r.ip, mac: r.mac, aliases: JSON.parse(r.aliases) as string[] });
    m.set(r.container_id, list);
  }
  return m;
}

const idMapText = (m: { containerID: number; hostID: number; size: number }) => `${m.containerID}:${m.hostID}:${m.size}`;

/** Docker's HostConfig fields for the security settings; the profile by its file name, not its text. */
function securityView(sec: ContainerSpec['security']): Record<string, unknown> {
  const opts: string[] = [];
  if (sec?.noNewPrivileges) opts.push('no-new-privileges');
  if (sec?.seccomp === 'unconfined') opts.push('seccomp=unconfined');
  else if (sec && typeof sec.seccomp === 'object') opts.push(`seccomp=${sec.seccomp.source}`);
  return {
    Privileged: sec?.privileged ?? false,
    CapAdd: sec?.capAdd.length ? sec.capAdd : null,
    CapDrop: sec?.capDrop.length ? sec.capDrop : null,
    GroupAdd: sec?.groupAdd.length ? sec.groupAdd : null,
    SecurityOpt: opts.length > 0 ? opts : null,
    Tmpfs: sec?.tmpfs.length ? Object.fromEntries(sec.tmpfs.map((t) => [t.destination, t.options.join(',')])) : null,
  };
}

export function inspectContainer(ctx: EngineContext, c: Container): Record<string, unknown> {
  const eps = containerEndpoints(ctx, [c.id]).get(c.id) ?? [];
  const nets = networkAddressing(ctx.db);
  const ports = portsOfContainer(ctx.db, c.id);
  const s = c.spec;
  return {
    Id: c.id,
    Name: c.name,
    Created: c.createdAt,
    Path: s.args[0],
    Args: s.args.slice(1),
    Image: c.imageId,
    ImageName: c.imageRef,
    RestartCount: c.restartCount,
    State: {
      Status: c.status,
      Running: c.status === 'running' || c.status === 'paused',
      Paused: c.status === 'paused',
      Pid: c.pid ?? 0,
      ConmonPid: c.conmonPid ?? 0,
      ExitCode: c.exitCode ?? 0,
      OOMKilled: c.oomKilled,
      StartedAt: c.startedAt ?? '0001-01-01T00:00:00Z',
      FinishedAt: c.finishedAt ?? '0001-01-01T00:00:00Z',
      RestartCount: c.restartCount,
      ...healthView(ctx, c),
    },
    Config: {
      Hostname: s.hostname,
      Domainname: s.domainname ?? '',
      User: s.user,
      Env: s.env,
      Cmd: s.cmd,
      Entrypoint: s.entrypoint,
      WorkingDir: s.workdir,
      Labels: c.labels,
      StopSignal: s.stopSignal,
      StopTimeout: s.stopTimeout,
      Healthcheck: s.healthcheck ? dockerHealthcheck(s.healthcheck) : null,
      Tty: s.tty === true,
      OpenStdin: s.openStdin === true,
      // As Docker's run -i: the first attach's end of input closes the container's stdin.
      StdinOnce: s.openStdin === true && s.tty !== true,
      // Records made before these were kept, and run -d, attach nothing.
      AttachStdin: s.attach?.stdin === true,
      AttachStdout: s.attach?.stdout === true,
      AttachStderr: s.attach?.stderr === true,
    },
    HostConfig: {
      Memory: s.resources.memory ?? 0,
      NanoCpus: s.resources.cpus !== undefined ? Math.round(s.resources.cpus * 1e9) : 0,
      CpusetCpus: s.resources.cpusetCpus ?? '',
      PidsLimit: s.resources.pidsLimit ?? 0,
      // Docker shows 0 for "not set"; an unset swap with a memory limit is twice the limit at the runtime.
      MemorySwap: s.resources.memorySwap ?? (s.resources.memory !== undefined ? s.resources.memory * 2 : 0),
      MemoryReservation: s.resources.memoryReservation ?? 0,
      CpuShares: s.resources.cpuShares ?? 0,
      CpuPeriod: s.resources.cpuPeriod ?? 0,
      CpuQuota: s.resources.cpuQuota ?? 0,
      BlkioWeight: s.resources.blkioWeight ?? 0,
      OomScoreAdj: s.oomScoreAdj ?? 0,
      Dns: s.dns?.servers ?? [],
      DnsSearch: s.dns?.search ?? [],
      DnsOptions: s.dns?.options ?? [],
      LogConfig: {
        Type: 'k8s-file',
        Config: {
          ...(s.logOpts?.maxSize !== undefined ? { 'max-size': String(s.logOpts.maxSize) } : {}),
          ...(s.logOpts?.maxFile !== undefined ? { 'max-file': String(s.logOpts.maxFile) } : {}),
        },
      },
      BlkioDeviceReadBps: s.resources.blkio.readBps.map((d) => ({ Path: d.path, Rate: d.rate })),
      BlkioDeviceWriteBps: s.resources.blkio.writeBps.map((d) => ({ Path: d.path, Rate: d.rate })),
      BlkioDeviceReadIOps: s.resources.blkio.readIops.map((d) => ({ Path: d.path, Rate: d.rate })),
      BlkioDeviceWriteIOps: s.resources.blkio.writeIops.map((d) => ({ Path: d.path, Rate: d.rate })),
      Binds: s.volumes.map((v) => `${v.source}:${v.destination}${v.readonly ? ':ro' : ''}`),
      NetworkMode: s.networkMode === 'bridge' ? (s.networks[0]?.network ?? 'berth') : namespaceModes(s.shared).network ?? s.networkMode,
      PidMode: namespaceModes(s.shared).pid,
      IpcMode: namespaceModes(s.shared).ipc,
      ...(s.annotations ? { Annotations: s.annotations } : {}),
      RestartPolicy: { Name: s.restart.name, MaximumRetryCount: s.restart.maxRetries },
      AutoRemove: s.autoRemove,
      ReadonlyRootfs: s.readOnly,
      ...securityView(s.security),
      ...hostOptionsView(s),
      UsernsMode: s.userns?.mode === 'auto' ? 'auto' : '',
      // Podman's: container:host:size, the ranges the container's ids are on the host.
      ...(s.userns ? { IDMappings: { UidMap: s.userns.uidMap.map(idMapText), GidMap: s.userns.gidMap.map(idMapText) } } : {}),
      Runtime: c.runtime,
      PortBindings: Object.fromEntries(ports.map((p) => [`${p.container_port}/${p.proto}`, [{ HostIp: p.host_ip, HostPort: String(p.host_port) }]])),
    },
    NetworkSettings: {
      Ports: Object.fromEntries(ports.map((p) => [`${p.container_port}/${p.proto}`, [{ HostIp: p.host_ip, HostPort: String(p.host_port) }]])),
      Networks: Object.fromEntries(eps.map((e) => {
        const n = nets.find((x) => x.name === e.network);
        return [e.network, {
          InterfaceName: e.ifname,
          IPAddress: e.ip ?? '',
          IPPrefixLen: n ? Number(n.subnet.split('/')[1]) : 0,
          Gateway: n?.gateway ?? '',
          MacAddress: e.mac ?? '',
          Aliases: e.aliases,
        }];
      })),
    },
    LogPath: logPath(ctx, c.id),
    GraphDriver: { Name: 'overlay', Data: { UpperDir: join(containerDir(ctx, c.id), 'diff'), MergedDir: join(containerDir(ctx, c.id), 'merged') } },
    RunDir: containerRunDir(ctx, c.id),
  };
}

/** Published ports of one container, as "host -> container" bindings. */
export function containerPortBindings(ctx: EngineContext, id: string): PortBinding[] {
  return containerPorts(networkContext(ctx), id);
}

/** Docker's HostConfig fields for --init, --ulimit, --device and --mount. */
function hostOptionsView(s: ContainerSpec) {
  return {
    Init: s.init !== undefined,
    ShmSize: s.shmSize ?? 64 * 1024 * 1024,
    // Docker's "" is the daemon's default: private on cgroup v2, host otherwise.
    CgroupnsMode: s.cgroupns ?? '',
    Sysctls: s.sysctls ?? {},
    ExtraHosts: (s.extraHosts ?? []).map((h) => `${h.host}:${h.ip}`),
    ...(s.init ? { InitPath: s.init.path } : {}),
    Ulimits: (s.ulimits ?? []).map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })),
    Devices: (s.devices ?? []).map((d) => ({ PathOnHost: d.pathOnHost, PathInContainer: d.pathInContainer, CgroupPermissions: d.permissions })),
    Mounts: (s.mounts ?? []).map((m) => ({
      Type: m.type,
      Source: m.source ?? '',
      Target: m.target,
      ReadOnly: m.readonly,
      ...(m.bindPropagation ? { BindOptions: { Propagation: m.bindPropagation } } : {}),
      ...(m.volumeNoCopy ? { VolumeOptions: { NoCopy: true } } : {}),
      ...(m.tmpfsSize !== undefined || m.tmpfsMode !== undefined
        ? { TmpfsOptions: { ...(m.tmpfsSize !== undefined ? { SizeBytes: m.tmpfsSize } : {}), ...(m.tmpfsMode !== undefined ? { Mode: m.tmpfsMode } : {}) } }
        : {}),
    })),
  };
}

/** Docker's Config.Healthcheck: durations in nanoseconds. */
function dockerHealthcheck(h: Healthcheck) {
  return { Test: ['CMD', ...h.test], Interval: h.intervalMs * 1e6, Timeout: h.timeoutMs * 1e6, StartPeriod: h.startPeriodMs * 1e6, Retries: h.retries };
}

/** State.Health of a container with a healthcheck that has started at least once. */
function healthView(ctx: EngineContext, c: Container) {
  if (!c.spec.healthcheck) return {};
  const h = getHealth(ctx.db, c.id);
  if (!h) return {};
  return { Health: { Status: h.status, FailingStreak: h.failingStreak, Log: h.log } };
}

/** For ps: the running containers' health, by id (those with a healthcheck and a row of this run). */
export function containerHealth(ctx: EngineContext, ids: readonly string[]): Map<string, HealthStatus> {
  const rows = allHealth(ctx.db);
  const out = new Map<string, HealthStatus>();
  for (const id of ids) {
    const h = rows.get(id);
    if (h) out.set(id, h.status);
  }
  return out;
}
