// One Pod or Deployment of a manifest to one compose service: its single container, env, probes,
// limits, user and mounts. ConfigMaps, Secrets and claims come resolved from the same file.
import { join } from 'node:path';
import type { ServiceConfig, ServiceHealthcheck, ServiceVolume } from '../compose/model.js';
import { serviceDefaults } from '../compose/model.js';
import { emptyResources } from '../engine/types.js';
import { Checker, type Obj } from './check.js';
import { portSpec } from './ports.js';
import { parseQuantity } from './quantity.js';
import { show } from '../common/show.js';

/** What the workload may refer to in the same file. */
export interface Refs {
  configMaps: ReadonlyMap<string, ReadonlyMap<string, Buffer>>;
  secrets: ReadonlyMap<string, ReadonlyMap<string, Buffer>>;
  claims: ReadonlySet<string>;
  /** Where kube play writes ConfigMap and Secret files: DIR/configmap/NAME/KEY, DIR/secret/NAME/KEY. */
  dataDir: string;
}

const POD_KEYS = ['containers', 'volumes', 'restartPolicy', 'hostname', 'terminationGracePeriodSeconds'];
const CONTAINER_KEYS = [
  'name',
  'image',
  'command',
  'args',
  'env',
  'envFrom',
  'workingDir',
  'ports',
  'resources',
  'livenessProbe',
  'readinessProbe',
  'volumeMounts',
  'securityContext',
  'imagePullPolicy',
];

type Source = { kind: 'configmap' | 'secret'; name: string } | { kind: 'claim'; name: string; readOnly: boolean };

export function podToService(c: Checker, name: string, spec: Obj, o: { refs: Refs; replicas: number; deployment: boolean }): ServiceConfig {
  c.keys(spec, 'spec', POD_KEYS);
  const containers = c.list(spec.containers, 'spec.containers');
  if (containers.length === 0) throw c.fail('spec.containers', 'a pod needs a container');
  if (containers.length > 1) {
    throw c.unsupported('spec.containers', 'more than one container in a pod: not supported by berth',
      "the containers of a pod share localhost, berth's do not: write one Pod or Deployment per container");
  }
  const k = c.obj(containers[0], 'spec.containers[0]');
  const p = 'spec.containers[0]';
  c.keys(k, p, CONTAINER_KEYS);
  if (k.image === undefined) throw c.fail(p, 'has no image');
  const s: ServiceConfig = {
    ...serviceDefaults(),
    name,
    image: c.str(k.image, `${p}.image`),
    environment: env(c, k, p, o.refs),
    labels: {},
    ports: ports(c, k, p),
    networks: [{ key: 'default', aliases: [] }],
    volumes: mounts(c, spec, k, p, o.refs),
    restart: restart(c, spec, o.deployment),
    dependsOn: [],
    replicas: o.replicas,
    resources: emptyResources(),
  };
  if (k.command !== undefined) s.entrypoint = c.strList(k.command, `${p}.command`);
  if (k.args !== undefined) s.command = c.strList(k.args, `${p}.args`);
  if (k.workingDir !== undefined) s.workingDir = c.str(k.workingDir, `${p}.workingDir`);
  if (spec.hostname !== undefined) s.hostname = c.str(spec.hostname, 'spec.hostname');
  if (spec.terminationGracePeriodSeconds !== undefined) s.stopGracePeriodSec = c.int(spec.terminationGracePeriodSeconds, 'spec.terminationGracePeriodSeconds');
  resources(c, k, p, s);
  const user = securityContext(c, k, p);
  if (user !== undefined) s.user = user;
  const h = probes(c, k, p);
  if (h) s.healthcheck = h;
  return s;
}

function restart(c: Checker, spec: Obj, deployment: boolean): string {
  const policy = spec.restartPolicy === undefined ? 'Always' : c.str(spec.restartPolicy, 'spec.restartPolicy');
  if (deployment && policy !== 'Always') throw c.fail('spec.restartPolicy', "a Deployment's pods must have restartPolicy Always");
  const m: Record<string, string> = { Always: 'always', OnFailure: 'on-failure', Never: 'no' };
  const r = m[policy];
  if (!r) throw c.fail('spec.restartPolicy', `"${policy}" is not one of Always, OnFailure, Never`);
  return r;
}

function lookup(c: Checker, path: string, from: Refs['configMaps'], kind: string, name: string, key?: string): ReadonlyMap<string, Buffer> | Buffer {
  const data = from.get(name);
  if (!data) throw c.fail(path, `${kind} ${name} is not in the file`);
  if (key === undefined) return data;
  const v = data.get(key);
  if (v === undefined) throw c.fail(path, `${kind} ${name} has no key ${key}`);
  return v;
}

function env(c: Checker, k: Obj, p: string, refs: Refs): Record<string, string> {
  const out: Record<string, string> = {};
  c.list(k.envFrom, `${p}.envFrom`).forEach((x, i) => {
    const ep = `${p}.envFrom[${i}]`;
    const e = c.obj(x, ep);
    c.keys(e, ep, ['configMapRef', 'secretRef', 'prefix']);
    const prefix = e.prefix === undefined ? '' : c.str(e.prefix, `${ep}.prefix`);
    const ref = e.configMapRef ?? e.secretRef;
    const kind = e.configMapRef !== undefined ? 'ConfigMap' : 'Secret';
    if (ref === undefined || (e.configMapRef !== undefined && e.secretRef !== undefined)) throw c.fail(ep, 'needs one of configMapRef or secretRef');
    const rp = `${ep}.${kind === 'ConfigMap' ? 'configMapRef' : 'secretRef'}`;
    const r = c.obj(ref, rp);
    c.keys(r, rp, ['name']);
    const data = lookup(c, rp, kind === 'ConfigMap' ? refs.configMaps : refs.secrets, kind, c.str(r.name, `${rp}.name`)) as ReadonlyMap<string, Buffer>;
    for (const [key, v] of data) out[prefix + key] = v.toString('utf8');
  });
  c.list(k.env, `${p}.env`).forEach((x, i) => {
    const ep = `${p}.env[${i}]`;
    const e = c.obj(x, ep);
    c.keys(e, ep, ['name', 'value', 'valueFrom']);
    const name = c.str(e.name, `${ep}.name`);
    if (!name || name.includes('=')) throw c.fail(`${ep}.name`, `invalid variable name "${name}"`);
    if (e.valueFrom === undefined) {
      out[name] = e.value === undefined ? '' : c.str(e.value, `${ep}.value`);
      return;
    }
    const vf = c.obj(e.valueFrom, `${ep}.valueFrom`);
    c.keys(vf, `${ep}.valueFrom`, ['configMapKeyRef', 'secretKeyRef']);
    const isCm = vf.configMapKeyRef !== undefined;
    const rp = `${ep}.valueFrom.${isCm ? 'configMapKeyRef' : 'secretKeyRef'}`;
    const r = c.obj(isCm ? vf.configMapKeyRef : vf.secretKeyRef, rp);
    c.keys(r, rp, ['name', 'key']);
    const v = lookup(c, rp, isCm ? refs.configMaps : refs.secrets, isCm ? 'ConfigMap' : 'Secret', c.str(r.name, `${rp}.name`),
      c.str(r.key, `${rp}.key`)) as Buffer;
    out[name] = v.toString('utf8');
  });
  return out;
}

function ports(c: Checker, k: Obj, p: string): string[] {
  const out: string[] = [];
  c.list(k.ports, `${p}.ports`).forEach((x, i) => {
    const pp = `${p}.ports[${i}]`;
    const o = c.obj(x, pp);
    c.keys(o, pp, ['containerPort', 'hostPort', 'hostIP', 'protocol', 'name']);
    const proto = o.protocol === undefined ? 'TCP' : c.str(o.protocol, `${pp}.protocol`);
    if (proto !== 'TCP' && proto !== 'UDP') throw c.unsupported(`${pp}.protocol`, `${proto}: not supported by berth`, 'berth publishes TCP and UDP');
    const containerPort = c.int(o.containerPort, `${pp}.containerPort`, 1);
    // Without a hostPort nothing is published: the port is open on the pod's network anyway.
    if (o.hostPort === undefined) return;
    const hostIp = o.hostIP === undefined ? undefined : c.str(o.hostIP, `${pp}.hostIP`);
    if (hostIp !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(hostIp))
      throw c.unsupported(`${pp}.hostIP`, `${hostIp}: not supported by berth`, 'give an IPv4 address');
    out.push(portSpec({ containerPort, hostPort: c.int(o.hostPort, `${pp}.hostPort`, 1), protocol: proto, ...(hostIp ? { hostIp } : {}) }));
  });
  return out;
}

function resources(c: Checker, k: Obj, p: string, s: ServiceConfig): void {
  const r = c.optObj(k.resources, `${p}.resources`);
  c.keys(r, `${p}.resources`, ['limits', 'requests']);
  // Requests only place pods on nodes; one machine has nothing to place. They are checked, not applied.
  for (const part of ['limits', 'requests'] as const) {
    const q = c.optObj(r[part], `${p}.resources.${part}`);
    c.keys(q, `${p}.resources.${part}`, ['memory', 'cpu']);
    const mem = q.memory === undefined ? undefined : parseQuantity(q.memory, `${p}.resources.${part}.memory`);
    const cpu = q.cpu === undefined ? undefined : parseQuantity(q.cpu, `${p}.resources.${part}.cpu`);
    if (part === 'requests') continue;
    if (mem !== undefined) s.resources.memory = Math.ceil(mem);
    if (cpu !== undefined) s.resources.cpus = cpu;
  }
}

function securityContext(c: Checker, k: Obj, p: string): string | undefined {
  const sp = `${p}.securityContext`;
  const sc = c.optObj(k.securityContext, sp);
  c.keys(sc, sp, ['runAsUser', 'runAsGroup', 'readOnlyRootFilesystem', 'capabilities']);
  if (sc.capabilities !== undefined)
    throw c.unsupported(`${sp}.capabilities`, 'not supported by berth', "berth gives every container the runtimes' default capability set");
  if (sc.readOnlyRootFilesystem === true) throw c.unsupported(`${sp}.readOnlyRootFilesystem`, 'true: not supported by berth compose projects yet');
  if (sc.runAsUser === undefined) {
    if (sc.runAsGroup !== undefined) throw c.fail(`${sp}.runAsGroup`, 'needs runAsUser beside it');
    return undefined;
  }
  const uid = c.int(sc.runAsUser, `${sp}.runAsUser`);
  return sc.runAsGroup === undefined ? String(uid) : `${uid}:${c.int(sc.runAsGroup, `${sp}.runAsGroup`)}`;
}

function probe(c: Checker, v: unknown, path: string): ServiceHealthcheck {
  const o = c.obj(v, path);
  c.keys(o, path, ['exec', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', 'initialDelaySeconds', 'successThreshold']);
  if (o.exec === undefined) throw c.fail(path, 'needs exec', 'berth runs exec probes only (httpGet, tcpSocket and grpc are not supported)');
  const e = c.obj(o.exec, `${path}.exec`);
  c.keys(e, `${path}.exec`, ['command']);
  const test = c.strList(e.command, `${path}.exec.command`);
  if (test.length === 0) throw c.fail(`${path}.exec.command`, 'is empty');
  if (o.successThreshold !== undefined && o.successThreshold !== 1)
    throw c.unsupported(`${path}.successThreshold`, `${show(o.successThreshold)}: not supported by berth (one success is healthy)`);
  // Kubernetes' defaults.
  const sec = (x: unknown, f: string, d: number, min: number) => (x === undefined ? d : c.int(x, `${path}.${f}`, min)) * 1000;
  return {
    test,
    intervalMs: sec(o.periodSeconds, 'periodSeconds', 10, 1),
    timeoutMs: sec(o.timeoutSeconds, 'timeoutSeconds', 1, 1),
    retries: o.failureThreshold === undefined ? 3 : c.int(o.failureThreshold, `${path}.failureThreshold`, 1),
    startPeriodMs: sec(o.initialDelaySeconds, 'initialDelaySeconds', 0, 0),
  };
}

function probes(c: Checker, k: Obj, p: string): ServiceHealthcheck | undefined {
  const live = k.livenessProbe === undefined ? undefined : probe(c, k.livenessProbe, `${p}.livenessProbe`);
  const ready = k.readinessProbe === undefined ? undefined : probe(c, k.readinessProbe, `${p}.readinessProbe`);
  if (live && ready && JSON.stringify(live) !== JSON.stringify(ready)) {
    throw c.unsupported(`${p}.livenessProbe`, 'differs from readinessProbe: not supported by berth',
      'berth runs one healthcheck a container: make the two probes the same, or keep one');
  }
  return ready ?? live;
}

function volumeSources(c: Checker, spec: Obj, refs: Refs): Map<string, Source> {
  const out = new Map<string, Source>();
  c.list(spec.volumes, 'spec.volumes').forEach((x, i) => {
    const vp = `spec.volumes[${i}]`;
    const v = c.obj(x, vp);
    c.keys(v, vp, ['name', 'configMap', 'secret', 'persistentVolumeClaim']);
    const name = c.str(v.name, `${vp}.name`);
    if (out.has(name)) throw c.fail(`${vp}.name`, `volume ${name} is declared twice`);
    let src: Source;
    if (v.configMap !== undefined) {
      const m = c.obj(v.configMap, `${vp}.configMap`);
      c.keys(m, `${vp}.configMap`, ['name']);
      src = { kind: 'configmap', name: c.str(m.name, `${vp}.configMap.name`) };
      if (!refs.configMaps.has(src.name)) throw c.fail(`${vp}.configMap`, `ConfigMap ${src.name} is not in the file`);
    } else if (v.secret !== undefined) {
      const m = c.obj(v.secret, `${vp}.secret`);
      c.keys(m, `${vp}.secret`, ['secretName']);
      src = { kind: 'secret', name: c.str(m.secretName, `${vp}.secret.secretName`) };
      if (!refs.secrets.has(src.name)) throw c.fail(`${vp}.secret`, `Secret ${src.name} is not in the file`);
    } else if (v.persistentVolumeClaim !== undefined) {
      const m = c.obj(v.persistentVolumeClaim, `${vp}.persistentVolumeClaim`);
      c.keys(m, `${vp}.persistentVolumeClaim`, ['claimName', 'readOnly']);
      src = { kind: 'claim', name: c.str(m.claimName, `${vp}.persistentVolumeClaim.claimName`), readOnly: m.readOnly === true };
      if (!refs.claims.has(src.name)) throw c.fail(`${vp}.persistentVolumeClaim`, `PersistentVolumeClaim ${src.name} is not in the file`);
    } else {
      throw c.unsupported(vp, `volume ${name}: only configMap, secret and persistentVolumeClaim volumes are supported by berth`);
    }
    out.set(name, src);
  });
  return out;
}

function mounts(c: Checker, spec: Obj, k: Obj, p: string, refs: Refs): ServiceVolume[] {
  const sources = volumeSources(c, spec, refs);
  return c.list(k.volumeMounts, `${p}.volumeMounts`).map((x, i) => {
    const mp = `${p}.volumeMounts[${i}]`;
    const m = c.obj(x, mp);
    c.keys(m, mp, ['name', 'mountPath', 'subPath', 'readOnly']);
    const name = c.str(m.name, `${mp}.name`);
    const target = c.str(m.mountPath, `${mp}.mountPath`);
    if (!target.startsWith('/')) throw c.fail(`${mp}.mountPath`, `"${target}" must be an absolute path`);
    const src = sources.get(name);
    if (!src) throw c.fail(`${mp}.name`, `no volume ${name} in spec.volumes`);
    const sub = m.subPath === undefined ? undefined : c.str(m.subPath, `${mp}.subPath`);
    if (src.kind === 'claim') {
      if (sub !== undefined) throw c.unsupported(`${mp}.subPath`, 'on a persistentVolumeClaim: not supported by berth');
      return { type: 'volume', source: src.name, target, readOnly: src.readOnly || m.readOnly === true };
    }
    const data = (src.kind === 'configmap' ? refs.configMaps : refs.secrets).get(src.name)!;
    if (sub !== undefined && !data.has(sub))
      throw c.fail(`${mp}.subPath`, `${src.kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${src.name} has no key ${sub}`);
    // ConfigMap and Secret volumes are read-only in Kubernetes too.
    return { type: 'bind', source: join(refs.dataDir, src.kind, src.name, ...(sub !== undefined ? [sub] : [])), target, readOnly: true };
  });
}
