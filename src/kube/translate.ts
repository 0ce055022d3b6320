// Kubernetes manifests to a compose project, which the compose machinery then runs: kube play
// is a client of compose and writes no orchestration of its own. Pure: it returns the project
// and the ConfigMap and Secret files to write; the first unsupported kind or field is refused.
import type { ComposeProject, DependsCondition, ServiceConfig, VolumeConfig } from '../compose/model.js';
import { Checker, type Obj } from './check.js';
import { DNS_LABEL, DNS_SUBDOMAIN, isDataKey } from './names.js';
import { ANN_DEPENDS, ANN_SUBNET, KINDS, LABEL_KUBE_FILE, LABEL_KUBE_KIND } from './types.js';
import { podToService, type Refs } from './workload.js';
import { show } from '../common/show.js';

export interface DataFile {
  /** Under the play's data directory: [kind, object name, key]. Every part is checked. */
  path: [('configmap' | 'secret'), string, string];
  data: Buffer;
}

export interface PlayPlan {
  project: ComposeProject;
  files: DataFile[];
}

export interface TranslateOptions {
  /** Shown in messages ("webfarm.yaml") and recorded on what play makes (the absolute path). */
  file: string;
  label: string;
  project: string;
  workingDir: string;
  dataDir: string;
}

interface Entry {
  c: Checker;
  kind: string;
  name: string;
  meta: Obj;
  o: Obj;
  index: number;
}

const CONDITIONS: readonly string[] = ['service_started', 'service_healthy', 'service_completed_successfully'];

export function translate(docs: readonly unknown[], opts: TranslateOptions): PlayPlan {
  const entries = docs.map((d, i) => entry(d, i, opts.label));
  if (entries.length === 0) throw new Checker(opts.label).fail('(top level)', 'the file has no objects');
  const seen = new Set<string>();
  for (const e of entries) {
    const key = `${e.kind}/${e.name}`;
    if (seen.has(key)) throw e.c.fail('metadata.name', `a second ${e.kind} named ${e.name}`);
    seen.add(key);
  }
  const files: DataFile[] = [];
  const configMaps = new Map<string, Map<string, Buffer>>();
  const secrets = new Map<string, Map<string, Buffer>>();
  const claims = new Set<string>();
  for (const e of entries) {
    if (e.kind === 'ConfigMap') configMaps.set(e.name, configMap(e));
    else if (e.kind === 'Secret') secrets.set(e.name, secret(e));
    else if (e.kind === 'PersistentVolumeClaim') {
      claim(e);
      claims.add(e.name);
    }
  }
  for (const [name, data] of configMaps) for (const [k, v] of data) files.push({ path: ['configmap', name, k], data: v });
  for (const [name, data] of secrets) for (const [k, v] of data) files.push({ path: ['secret', name, k], data: v });
  const refs: Refs = { configMaps, secrets, claims, dataDir: opts.dataDir };

  const services: ServiceConfig[] = [];
  const podLabels = new Map<string, Record<string, string>>();
  const depends = new Map<string, string>();
  const subnets = new Map<string, string>();
  for (const e of entries) {
    if (e.kind !== 'Pod' && e.kind !== 'Deployment' && e.kind !== 'Job') continue;
    if (services.some((s) => s.name === e.name)) throw e.c.fail('metadata.name', `another Pod, Deployment or Job is named ${e.name}`);
    const w = e.kind === 'Pod' ? pod(e, refs) : e.kind === 'Job' ? job(e, refs) : deployment(e, refs);
    w.svc.labels = { [LABEL_KUBE_FILE]: opts.file, [LABEL_KUBE_KIND]: e.kind };
    services.push(w.svc);
    podLabels.set(w.svc.name, w.labels);
    for (const ann of w.annotations) {
      if (ann[ANN_DEPENDS] !== undefined) depends.set(w.svc.name, ann[ANN_DEPENDS]);
      if (ann[ANN_SUBNET] !== undefined) subnets.set(`${e.kind} ${e.name}`, ann[ANN_SUBNET]);
    }
  }
  if (services.length === 0) throw new Checker(opts.label).fail('(top level)', 'the file has no Pod, Deployment or Job to run');
  for (const e of entries) if (e.kind === 'Service') service(e, services, podLabels);
  dependencies(opts.label, services, depends);

  const distinct = [...new Set(subnets.values())];
  if (distinct.length > 1) {
    throw new Checker(opts.label).fail(`annotations.${ANN_SUBNET}`,
      `the objects ask for different subnets (${distinct.join(', ')}); berth plays a file on one network`);
  }
  const volumes: VolumeConfig[] = [...claims].map((k) => ({ key: k, name: `${opts.project}_${k}`, external: false, labels: { [LABEL_KUBE_FILE]: opts.file } }));
  return {
    project: {
      name: opts.project,
      workingDir: opts.workingDir,
      configFile: opts.label,
      configFiles: [opts.label],
      services,
      volumes,
      secrets: [],
      configs: [],
      networks: [{
        key: 'default',
        name: `${opts.project}_default`,
        external: false,
        internal: false,
        labels: { [LABEL_KUBE_FILE]: opts.file },
        ...(distinct[0] !== undefined ? { subnet: distinct[0] } : {}),
      }],
    },
    files,
  };
}

function entry(d: unknown, index: number, label: string): Entry {
  const top = new Checker(`${label}: object ${index + 1}`);
  const o = top.obj(d, '(top level)');
  const kind = o.kind === undefined ? '' : top.str(o.kind, 'kind');
  if (!kind) throw top.fail('kind', 'is missing');
  const apiVersion = KINDS[kind];
  if (apiVersion === undefined) {
    throw top.unsupported('kind', `${kind}: not supported by berth`, `berth plays ${Object.keys(KINDS).join(', ')}`);
  }
  if (o.apiVersion !== apiVersion) throw top.fail('apiVersion', `${kind} is ${apiVersion}, not ${JSON.stringify(o.apiVersion ?? null)}`);
  const meta = top.obj(o.metadata, 'metadata');
  top.keys(meta, 'metadata', ['name', 'namespace', 'labels', 'annotations']);
  const name = top.str(meta.name, 'metadata.name');
  const nameRule = kind === 'Service' || kind === 'Pod' || kind === 'Deployment' || kind === 'Job' ? DNS_LABEL : DNS_SUBDOMAIN;
  if (!nameRule.test(name))
    throw top.fail('metadata.name', `"${name}" is not a valid ${kind} name (lower-case letters, digits and -${nameRule === DNS_SUBDOMAIN ? ', .' : ''})`);
  const c = new Checker(`${label}: ${kind} ${name}`);
  c.strMap(meta.labels, 'metadata.labels');
  c.strMap(meta.annotations, 'metadata.annotations');
  const allowed = kind === 'ConfigMap' ? ['data', 'binaryData', 'immutable'] : kind === 'Secret' ? ['data', 'stringData', 'type', 'immutable'] : ['spec'];
  c.keys(o, '', ['apiVersion', 'kind', 'metadata', ...allowed]);
  return { c, kind, name, meta, o, index };
}

function putKey(c: Checker, out: Map<string, Buffer>, path: string, key: string, data: Buffer): void {
  if (!isDataKey(key)) throw c.fail(`${path}.${key}`, 'invalid key (letters, digits, -, _ and . only)');
  if (out.has(key)) throw c.fail(`${path}.${key}`, 'given twice');
  out.set(key, data);
}

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

function configMap(e: Entry): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(e.c.strMap(e.o.data, 'data'))) putKey(e.c, out, 'data', k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(e.c.strMap(e.o.binaryData, 'binaryData'))) {
    if (!BASE64.test(v)) throw e.c.fail(`binaryData.${k}`, 'is not base64');
    putKey(e.c, out, 'binaryData', k, Buffer.from(v, 'base64'));
  }
  return out;
}

function secret(e: Entry): Map<string, Buffer> {
  if (e.o.type !== undefined && e.o.type !== 'Opaque') throw e.c.unsupported('type', `${show(e.o.type)}: not supported by berth`, 'berth plays Opaque Secrets');
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(e.c.strMap(e.o.data, 'data'))) {
    if (!BASE64.test(v)) throw e.c.fail(`data.${k}`, 'is not base64');
    putKey(e.c, out, 'data', k, Buffer.from(v, 'base64'));
  }
  // stringData wins over data for the same key, as the API server merges them.
  for (const [k, v] of Object.entries(e.c.strMap(e.o.stringData, 'stringData'))) {
    out.delete(k);
    putKey(e.c, out, 'stringData', k, Buffer.from(v, 'utf8'));
  }
  return out;
}

function claim(e: Entry): void {
  const s = e.c.optObj(e.o.spec, 'spec');
  e.c.keys(s, 'spec', ['accessModes', 'resources', 'volumeMode']);
  if (s.volumeMode !== undefined && s.volumeMode !== 'Filesystem') throw e.c.unsupported('spec.volumeMode', `${show(s.volumeMode)}: not supported by berth`);
  e.c.strList(s.accessModes, 'spec.accessModes');
  const r = e.c.optObj(s.resources, 'spec.resources');
  e.c.keys(r, 'spec.resources', ['requests', 'limits']);
}

interface Workload {
  svc: ServiceConfig;
  labels: Record<string, string>;
  annotations: Array<Record<string, string>>;
}

function pod(e: Entry, refs: Refs): Workload {
  const spec = e.c.obj(e.o.spec, 'spec');
  return {
    svc: podToService(e.c, e.name, spec, { refs, replicas: 1, deployment: false }),
    labels: e.c.strMap(e.meta.labels, 'metadata.labels'),
    annotations: [e.c.strMap(e.meta.annotations, 'metadata.annotations')],
  };
}

function deployment(e: Entry, refs: Refs): Workload {
  const c = e.c;
  const spec = c.obj(e.o.spec, 'spec');
  c.keys(spec, 'spec', ['replicas', 'selector', 'template']);
  const replicas = spec.replicas === undefined ? 1 : c.int(spec.replicas, 'spec.replicas');
  const sel = c.obj(spec.selector, 'spec.selector');
  c.keys(sel, 'spec.selector', ['matchLabels']);
  const match = c.strMap(sel.matchLabels, 'spec.selector.matchLabels');
  const t = c.obj(spec.template, 'spec.template');
  c.keys(t, 'spec.template', ['metadata', 'spec']);
  const tm = c.optObj(t.metadata, 'spec.template.metadata');
  c.keys(tm, 'spec.template.metadata', ['labels', 'annotations']);
  const labels = c.strMap(tm.labels, 'spec.template.metadata.labels');
  for (const [k, v] of Object.entries(match)) {
    if (labels[k] !== v) throw c.fail('spec.selector.matchLabels', `${k}=${v} does not match the template's labels`);
  }
  if (Object.keys(match).length === 0) throw c.fail('spec.selector.matchLabels', 'is empty');
  const inner = new Checker(`${c.where} (template)`);
  return {
    svc: podToService(inner, e.name, inner.obj(t.spec, 'spec'), { refs, replicas, deployment: true }),
    labels,
    annotations: [c.strMap(e.meta.annotations, 'metadata.annotations'), c.strMap(tm.annotations, 'spec.template.metadata.annotations')],
  };
}

/**
 * A Job: its one pod runs to the end. The retries of backoffLimit are the container's restarts
 * on failure (Kubernetes makes a new pod instead; on one machine the difference is the name).
 */
function job(e: Entry, refs: Refs): Workload {
  const c = e.c;
  const spec = c.obj(e.o.spec, 'spec');
  c.keys(spec, 'spec', ['template', 'backoffLimit', 'completions', 'parallelism']);
  for (const k of ['completions', 'parallelism'] as const) {
    if (spec[k] !== undefined && spec[k] !== 1) throw c.unsupported(`spec.${k}`, `${show(spec[k])}: not supported by berth (a Job runs one pod)`);
  }
  const backoff = spec.backoffLimit === undefined ? 6 : c.int(spec.backoffLimit, 'spec.backoffLimit');
  const t = c.obj(spec.template, 'spec.template');
  c.keys(t, 'spec.template', ['metadata', 'spec']);
  const tm = c.optObj(t.metadata, 'spec.template.metadata');
  c.keys(tm, 'spec.template.metadata', ['labels', 'annotations']);
  const inner = new Checker(`${c.where} (template)`);
  const ps = inner.obj(t.spec, 'spec');
  if (ps.restartPolicy !== 'Never' && ps.restartPolicy !== 'OnFailure')
    throw inner.fail('spec.restartPolicy', "a Job's pods must have restartPolicy Never or OnFailure");
  const svc = podToService(inner, e.name, ps, { refs, replicas: 1, deployment: false });
  svc.restart = backoff > 0 ? `on-failure:${backoff}` : 'no';
  return {
    svc,
    labels: c.strMap(tm.labels, 'spec.template.metadata.labels'),
    annotations: [c.strMap(e.meta.annotations, 'metadata.annotations'), c.strMap(tm.annotations, 'spec.template.metadata.annotations')],
  };
}

/** A Service's name resolves on the project network to the pods it selects; a nodePort is published. */
function service(e: Entry, services: ServiceConfig[], podLabels: ReadonlyMap<string, Record<string, string>>): void {
  const c = e.c;
  const spec = c.obj(e.o.spec, 'spec');
  c.keys(spec, 'spec', ['selector', 'ports', 'type', 'clusterIP']);
  const type = spec.type === undefined ? 'ClusterIP' : c.str(spec.type, 'spec.type');
  if (type !== 'ClusterIP' && type !== 'NodePort')
    throw c.unsupported('spec.type', `${type}: not supported by berth`, 'berth plays ClusterIP and NodePort Services (a hostPort publishes a port too)');
  if (spec.clusterIP !== undefined && spec.clusterIP !== 'None')
    throw c.unsupported('spec.clusterIP', `${show(spec.clusterIP)}: not supported by berth`,
      "berth resolves a Service's name to its pods' own addresses; leave clusterIP out or None");
  const sel = c.strMap(spec.selector, 'spec.selector');
  if (Object.keys(sel).length === 0) throw c.unsupported('spec.selector', 'a Service without a selector: not supported by berth');
  const chosen = services.filter((s) => Object.entries(sel).every(([k, v]) => podLabels.get(s.name)?.[k] === v));
  if (chosen.length === 0) throw c.fail('spec.selector', 'selects no Pod, Deployment or Job in the file');
  const published: string[] = [];
  c.list(spec.ports, 'spec.ports').forEach((x, i) => {
    const pp = `spec.ports[${i}]`;
    const p = c.obj(x, pp);
    c.keys(p, pp, ['name', 'port', 'targetPort', 'protocol', 'nodePort']);
    const port = c.int(p.port, `${pp}.port`, 1);
    if (typeof p.targetPort === 'string') throw c.unsupported(`${pp}.targetPort`, `named port ${p.targetPort}: not supported by berth`);
    const target = p.targetPort === undefined ? port : c.int(p.targetPort, `${pp}.targetPort`, 1);
    if (target !== port) {
      throw c.unsupported(`${pp}.targetPort`, `port ${port} to targetPort ${target}: not supported by berth`,
        "berth resolves a Service's name to its pods' own addresses, so port and targetPort must be equal");
    }
    const proto = p.protocol === undefined ? 'tcp' : c.str(p.protocol, `${pp}.protocol`).toLowerCase();
    if (proto !== 'tcp' && proto !== 'udp') throw c.unsupported(`${pp}.protocol`, `${String(p.protocol)}: not supported by berth`);
    if (p.nodePort !== undefined) {
      if (type !== 'NodePort') throw c.fail(`${pp}.nodePort`, 'needs type NodePort');
      published.push(`${c.int(p.nodePort, `${pp}.nodePort`, 1)}:${target}/${proto}`);
    }
  });
  for (const s of chosen) {
    const net = s.networks[0]!;
    if (e.name !== s.name && !net.aliases.includes(e.name)) net.aliases.push(e.name);
    for (const p of published) if (!s.ports.includes(p)) s.ports.push(p);
  }
}

function dependencies(label: string, services: ServiceConfig[], depends: ReadonlyMap<string, string>): void {
  for (const [name, text] of depends) {
    const c = new Checker(`${label}: ${name}`);
    const s = services.find((x) => x.name === name)!;
    for (const part of text.split(',').map((x) => x.trim()).filter(Boolean)) {
      const [dep = '', cond = 'service_started'] = part.split(':');
      const target = services.find((x) => x.name === dep);
      if (!target) throw c.fail(`annotations.${ANN_DEPENDS}`, `depends on ${dep}, which is not a Pod, Deployment or Job of the file`);
      if (!CONDITIONS.includes(cond)) throw c.fail(`annotations.${ANN_DEPENDS}`, `"${cond}" is not one of ${CONDITIONS.join(', ')}`);
      if (cond === 'service_healthy' && !target.healthcheck) throw c.fail(`annotations.${ANN_DEPENDS}`, `${dep}: service_healthy needs a probe on ${dep}`);
      if (dep === name) throw c.fail(`annotations.${ANN_DEPENDS}`, 'depends on itself');
      s.dependsOn.push({ service: dep, condition: cond as DependsCondition, restart: false, required: true });
    }
  }
  const state = new Map<string, 'grey' | 'black'>();
  const visit = (n: string, path: string[]) => {
    if (state.get(n) === 'black') return;
    if (state.get(n) === 'grey')
      throw new Checker(label).fail(`annotations.${ANN_DEPENDS}`, `dependency cycle: ${[...path.slice(path.indexOf(n)), n].join(' -> ')}`);
    state.set(n, 'grey');
    for (const d of services.find((x) => x.name === n)!.dependsOn) visit(d.service, [...path, n]);
    state.set(n, 'black');
  };
  for (const s of services) visit(s.name, []);
}
