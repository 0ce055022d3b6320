// A compose project (or containers seen as one) to Kubernetes objects. Pure: host files come
// through a FileSource, so every mapping is unit-tested. What has no Kubernetes equivalent is
// returned as a warning line, never dropped without a word.
import type { ComposeProject, ServiceConfig, ServiceVolume } from '../compose/model.js';
import { isDataKey, LABEL_KEY, toDnsLabel } from './names.js';
import { portParts } from './ports.js';
import { formatCpu, formatMemory } from './quantity.js';
import {
  ANN_CONTAINER,
  ANN_DEPENDS,
  ANN_NETWORKS,
  ANN_PROJECT,
  ANN_SERVICE,
  ANN_SUBNET,
  type IConfigMap,
  type IContainer,
  type IPersistentVolumeClaim,
  type IPodSpec,
  type IProbe,
  type IService,
  type IVolume,
  type IVolumeMount,
  type Manifest,
} from './types.js';

/** ConfigMaps are kept in etcd, whose objects stop at 1 MiB; base64 of binary content takes 4/3. */
export const CONFIGMAP_MAX_BYTES = 512 * 1024;
export const CONFIGMAP_MAX_FILES = 64;
/** Asked of a claim made from a named volume: berth's volumes have no size. */
export const DEFAULT_CLAIM_SIZE = '1Gi';

export type HostContent =
  | { kind: 'file'; data: Buffer }
  | { kind: 'dir'; files: Array<{ name: string; data: Buffer }> }
  | { kind: 'skip'; why: string };

export interface FileSource {
  /** A bind source's content, or why it cannot be a ConfigMap (missing, too big, nested ...). */
  read(path: string, maxBytes: number, maxFiles: number): HostContent;
}

export interface GenerateOptions {
  type: 'pod' | 'deployment';
  /** --service: Services too. */
  services: boolean;
  scale?: ReadonlyMap<string, number>;
  /** Services of the file to export; all when absent. */
  only?: readonly string[];
  files: FileSource;
  /** Containers by name rather than a compose file: the origin recorded differs. */
  fromContainers?: boolean;
  /** Services whose root file system is read-only (containers run with --read-only). */
  readOnly?: ReadonlySet<string>;
}

export interface Generated {
  objects: Manifest[];
  warnings: string[];
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

interface Ctx {
  p: ComposeProject;
  o: GenerateOptions;
  warn: (s: string) => void;
  out: Manifest[];
  configMaps: Set<string>;
}

export function generate(p: ComposeProject, o: GenerateOptions): Generated {
  const warnings: string[] = [];
  // A network's warnings would otherwise come once for each of its services.
  const warn = (s: string) => {
    if (!warnings.includes(s)) warnings.push(s);
  };
  const ctx: Ctx = { p, o, warn, out: [], configMaps: new Set() };
  const chosen = o.only && o.only.length > 0 ? p.services.filter((s) => o.only!.includes(s.name)) : p.services;
  const claims = new Set<string>();
  for (const s of chosen) {
    workload(ctx, s);
    for (const v of s.volumes) if (v.type === 'volume') claims.add(v.source);
  }
  for (const key of claims) ctx.out.push(claim(ctx, key));
  if (o.services) { for (const s of chosen) services(ctx, s); }
  else {
    for (const s of chosen) {
      if (reachedByName(p, s)) ctx.warn(`service ${s.name}: reached by name by other services, but no Service is written without --service`);
    }
  }
  return { objects: ctx.out, warnings };
}

function origin(ctx: Ctx, s: ServiceConfig): Record<string, string> {
  return ctx.o.fromContainers ? { [ANN_CONTAINER]: s.name } : { [ANN_PROJECT]: ctx.p.name, [ANN_SERVICE]: s.name };
}

function workload(ctx: Ctx, s: ServiceConfig): void {
  const { p, o, warn } = ctx;
  const name = toDnsLabel(s.name);
  if (name !== s.name) warn(`service ${s.name}: named ${name} in Kubernetes (names there are lower-case letters, digits and -)`);
  const labels = { app: name, ...origin(ctx, s) };
  const annotations: Record<string, string> = {};
  const nets = s.networks.map((n) => n.key);
  if (!o.fromContainers) annotations[ANN_NETWORKS] = nets.join(',');
  for (const n of s.networks) {
    const net = p.networks.find((x) => x.key === n.key);
    if (n.ipv4Address !== undefined)
      warn(`service ${s.name}: static address ${n.ipv4Address} on network ${n.key}: no Kubernetes equivalent (the cluster assigns pod addresses)`);
    if (net?.subnet !== undefined && annotations[ANN_SUBNET] === undefined) {
      annotations[ANN_SUBNET] = net.subnet;
      warn(`network ${net.key}: subnet ${net.subnet}: no Kubernetes equivalent; recorded in annotation ${ANN_SUBNET} (kube play uses it)`);
    } else if (net?.subnet !== undefined && annotations[ANN_SUBNET] !== net.subnet) {
      warn(
        `service ${s.name}: network ${net.key}: subnet ${net.subnet}: no Kubernetes equivalent (kube play puts all pods on one network: only the subnet of ${s.name}'s first network is recorded)`,
      );
    }
    if (net?.internal) warn(`network ${n.key}: internal: no Kubernetes equivalent written (a NetworkPolicy is the cluster's way to isolate pods)`);
  }
  if (s.dependsOn.length > 0) {
    annotations[ANN_DEPENDS] = s.dependsOn.map((d) => `${d.service}:${d.condition}`).join(',');
    warn(
      `service ${s.name}: depends_on ${
        s.dependsOn.map((d) => d.service).join(', ')
      }: no Kubernetes equivalent (pods start in any order); recorded in annotation ${ANN_DEPENDS}`,
    );
  }
  for (const [k, v] of Object.entries(s.labels)) {
    if (LABEL_KEY.test(k)) annotations[k] = v;
    else warn(`service ${s.name}: label ${k}: not a valid Kubernetes annotation key, not carried over`);
  }
  const volumes: IVolume[] = [];
  const container = containerOf(ctx, s, name, volumes);
  const spec: IPodSpec = { containers: [container] };
  if (volumes.length > 0) spec.volumes = volumes;
  if (s.hostname !== undefined) spec.hostname = s.hostname;
  if (s.stopGracePeriodSec !== undefined) spec.terminationGracePeriodSeconds = s.stopGracePeriodSec;
  const replicas = o.scale?.get(s.name) ?? s.replicas;
  const metadata = { name, labels, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) };
  if (o.type === 'pod') {
    if (replicas !== 1) warn(`service ${s.name}: ${replicas} replicas: a Pod runs one (use --type deployment)`);
    spec.restartPolicy = s.restart.startsWith('on-failure') ? 'OnFailure' : s.restart === 'no' ? 'Never' : 'Always';
    if (/^on-failure:\d+$/.test(s.restart)) warn(`service ${s.name}: restart ${s.restart}: Kubernetes has no retry count (OnFailure retries without end)`);
    ctx.out.push({ apiVersion: 'v1', kind: 'Pod', metadata, spec });
    return;
  }
  if (s.restart !== 'always' && s.restart !== 'unless-stopped') warn(`service ${s.name}: restart ${s.restart}: a Deployment always restarts its pods`);
  ctx.out.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: { replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) }, spec } },
  });
}

function containerOf(ctx: Ctx, s: ServiceConfig, name: string, volumes: IVolume[]): IContainer {
  const { warn } = ctx;
  const c: IContainer = { name, image: s.image };
  // Kubernetes' command is the image's entrypoint, its args the image's cmd.
  if (s.entrypoint) c.command = s.entrypoint;
  if (s.command) c.args = s.command;
  const env = Object.entries(s.environment);
  if (env.length > 0) c.env = env.map(([k, v]) => ({ name: k, value: v }));
  if (s.workingDir !== undefined) c.workingDir = s.workingDir;
  if (s.ports.length > 0) {
    c.ports = s.ports.map((spec) => {
      const pp = portParts(spec);
      if (pp.hostPort === 0)
        warn(`service ${s.name}: port ${spec}: a random host port has no Kubernetes equivalent; the container port is declared without one`);
      return {
        containerPort: pp.containerPort,
        protocol: pp.protocol,
        ...(pp.hostPort ? { hostPort: pp.hostPort } : {}),
        ...(pp.hostPort && pp.hostIp ? { hostIP: pp.hostIp } : {}),
      };
    });
  }
  const r = s.resources;
  if (r.memory !== undefined || r.cpus !== undefined) {
    // Requests equal to the limits: the scheduler reserves what berth would have allowed.
    const q: Record<string, string> = {};
    if (r.memory !== undefined) q.memory = formatMemory(r.memory);
    if (r.cpus !== undefined) q.cpu = formatCpu(r.cpus);
    c.resources = { limits: q, requests: { ...q } };
  }
  if (r.pidsLimit !== undefined) warn(`service ${s.name}: pids limit ${r.pidsLimit}: no per-container Kubernetes equivalent (the kubelet sets pod pid limits)`);
  if (r.cpusetCpus !== undefined) warn(`service ${s.name}: cpuset ${r.cpusetCpus}: no Kubernetes equivalent (the kubelet's CPU manager pins CPUs)`);
  const b = r.blkio;
  for (const [what, list] of [['read bps', b.readBps], ['write bps', b.writeBps], ['read iops', b.readIops], ['write iops', b.writeIops]] as const) {
    for (const d of list) warn(`service ${s.name}: device ${what} limit ${d.path}=${d.rate}: no Kubernetes equivalent`);
  }
  if (s.healthcheck) {
    const h = s.healthcheck;
    if (h.intervalMs % 1000 !== 0 || h.timeoutMs % 1000 !== 0 || h.startPeriodMs % 1000 !== 0)
      warn(`service ${s.name}: healthcheck durations rounded up to whole seconds`);
    const probe: IProbe = {
      exec: { command: h.test },
      periodSeconds: seconds(h.intervalMs),
      timeoutSeconds: seconds(h.timeoutMs),
      failureThreshold: h.retries,
      ...(h.startPeriodMs > 0 ? { initialDelaySeconds: seconds(h.startPeriodMs) } : {}),
    };
    c.livenessProbe = probe;
    c.readinessProbe = structuredClone(probe);
  }
  const sc = securityContext(s, warn) ?? {};
  if (ctx.o.readOnly?.has(s.name)) sc.readOnlyRootFilesystem = true;
  if (Object.keys(sc).length > 0) c.securityContext = sc;
  const mounts: IVolumeMount[] = [];
  s.volumes.forEach((v) => mount(ctx, s, name, v, { volumes, mounts }));
  if (mounts.length > 0) c.volumeMounts = mounts;
  return c;
}

function securityContext(s: ServiceConfig, warn: (l: string) => void): NonNullable<IContainer['securityContext']> | undefined {
  if (s.user === undefined || s.user === '0' || s.user === 'root') return undefined;
  const m = /^(\d+)(?::(\d+))?$/.exec(s.user);
  if (!m) {
    warn(`service ${s.name}: user ${s.user}: Kubernetes takes numeric ids only (runAsUser), not carried over`);
    return undefined;
  }
  return { runAsUser: Number(m[1]), ...(m[2] !== undefined ? { runAsGroup: Number(m[2]) } : {}) };
}

function mount(ctx: Ctx, s: ServiceConfig, name: string, v: ServiceVolume, into: { volumes: IVolume[]; mounts: IVolumeMount[] }): void {
  const volName = `${name}-${into.volumes.length}`.slice(0, 63);
  if (v.type === 'volume') {
    into.volumes.push({ name: volName, persistentVolumeClaim: { claimName: toDnsLabel(v.source) } });
    into.mounts.push({ name: volName, mountPath: v.target, ...(v.readOnly ? { readOnly: true } : {}) });
    const replicas = ctx.o.scale?.get(s.name) ?? s.replicas;
    if (replicas > 1 && ctx.o.type === 'deployment')
      ctx.warn(`service ${s.name}: volume ${v.source} shared by ${replicas} replicas: a ReadWriteOnce claim keeps them on one node`);
    return;
  }
  const content = ctx.o.files.read(v.source, CONFIGMAP_MAX_BYTES, CONFIGMAP_MAX_FILES);
  if (content.kind === 'skip') {
    ctx.warn(`service ${s.name}: bind mount ${v.source} -> ${v.target}: not carried over (${content.why})`);
    return;
  }
  const files = content.kind === 'file' ? [{ name: v.source.split('/').pop() ?? 'file', data: content.data }] : content.files;
  const bad = files.find((f) => !isDataKey(f.name));
  if (bad) {
    ctx.warn(`service ${s.name}: bind mount ${v.source} -> ${v.target}: not carried over (file name ${JSON.stringify(bad.name)} cannot be a ConfigMap key)`);
    return;
  }
  let cmName = toDnsLabel(`${name}-${v.target.split('/').filter(Boolean).join('-')}`);
  for (let i = 2; ctx.configMaps.has(cmName); i++) cmName = toDnsLabel(`${name}-${v.target.split('/').filter(Boolean).join('-')}-${i}`);
  ctx.configMaps.add(cmName);
  const cm: IConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: cmName, labels: origin(ctx, s) } };
  for (const f of files) {
    const text = f.data.toString('utf8');
    if (Buffer.from(text, 'utf8').equals(f.data)) (cm.data ??= {})[f.name] = text;
    else (cm.binaryData ??= {})[f.name] = f.data.toString('base64');
  }
  ctx.out.push(cm);
  into.volumes.push({ name: volName, configMap: { name: cmName } });
  // A file is mounted alone (subPath); a directory is the whole ConfigMap.
  into.mounts.push({ name: volName, mountPath: v.target, readOnly: true, ...(content.kind === 'file' ? { subPath: files[0]!.name } : {}) });
  if (!v.readOnly) ctx.warn(`service ${s.name}: bind mount ${v.source} -> ${v.target}: now a read-only ConfigMap; writes from the container are not kept`);
}

function claim(ctx: Ctx, key: string): IPersistentVolumeClaim {
  const vol = ctx.p.volumes.find((v) => v.key === key);
  if (vol?.external) ctx.warn(`volume ${key}: external: written as a claim; bind it to the existing data in the cluster`);
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: toDnsLabel(key), labels: ctx.o.fromContainers ? {} : { [ANN_PROJECT]: ctx.p.name } },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: DEFAULT_CLAIM_SIZE } } },
  };
}

/** Whether others on one of its networks can reach it by name, as Compose makes them. */
function reachedByName(p: ComposeProject, s: ServiceConfig): boolean {
  const mine = new Set(s.networks.map((n) => n.key));
  return s.networks.some((n) => n.aliases.length > 0) || p.services.some((o) => o !== s && o.networks.some((n) => mine.has(n.key)));
}

function services(ctx: Ctx, s: ServiceConfig): void {
  const name = toDnsLabel(s.name);
  const published = s.ports.map(portParts);
  const aliases = [...new Set(s.networks.flatMap((n) => n.aliases))].map(toDnsLabel).filter((a) => a !== name);
  const reached = reachedByName(ctx.p, s);
  if (published.length === 0 && !reached) return;
  const meta = (n: string) => ({ name: n, labels: origin(ctx, s) });
  let svc: IService;
  if (published.length > 0) {
    svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name),
      spec: {
        type: 'NodePort',
        selector: { app: name },
        ports: published.map((pp) => {
          const inRange = pp.hostPort !== undefined && pp.hostPort >= 30000 && pp.hostPort <= 32767;
          if (pp.hostPort && !inRange)
            ctx.warn(
              `service ${s.name}: host port ${pp.hostPort} is outside the NodePort range 30000-32767: kept as the container's hostPort; the cluster picks the Service's nodePort`,
            );
          return {
            name: `${pp.protocol.toLowerCase()}-${pp.containerPort}`,
            protocol: pp.protocol,
            port: pp.containerPort,
            targetPort: pp.containerPort,
            ...(inRange ? { nodePort: pp.hostPort } : {}),
          };
        }),
      },
    };
  } else {
    // No port is known (compose publishes none and berth records no expose): a headless Service
    // resolves the name to every ready pod, as Compose's DNS does to every replica.
    svc = { apiVersion: 'v1', kind: 'Service', metadata: meta(name), spec: { clusterIP: 'None', selector: { app: name } } };
  }
  ctx.out.push(svc);
  for (const a of aliases) {
    ctx.out.push({ apiVersion: 'v1', kind: 'Service', metadata: meta(a), spec: { clusterIP: 'None', selector: { app: name } } });
  }
}
