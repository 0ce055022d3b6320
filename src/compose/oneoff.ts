// `compose run` and the verbs that pick one container of a service (exec, port, cp): the
// one-off container's create request, named and labelled as Compose does, and the replica an
// --index chooses. Pure, so both are unit-tested.
import { randomBytes } from 'node:crypto';
import { invalid, notFound } from '../common/errors.js';
import type { Container, CreateRequest } from '../engine/index.js';
import { LABEL_NUMBER, LABEL_ONEOFF, LABEL_SERVICE, type ComposeProject, type ServiceConfig } from './model.js';
import { createRequest, serviceHash } from './plan.js';

export interface RunOptions {
  /** The command after SERVICE; the service's own when empty. */
  command: string[];
  entrypoint?: string[];
  /** -e K=V (or K, from the shell), on top of the service's environment. */
  env: string[];
  name?: string;
  user?: string;
  workdir?: string;
  autoRemove: boolean;
  /** --service-ports: publish the service's ports (a one-off publishes none by default). */
  servicePorts: boolean;
  /** -p: ports given for this run only. */
  publish: string[];
}

/** Compose's one-off name: PROJECT-SERVICE-run-12 hex digits. */
export const oneOffName = (p: ComposeProject, s: ServiceConfig, rand = randomBytes(6).toString('hex')) => `${p.name}-${s.name}-run-${rand}`;

export function runRequest(p: ComposeProject, s: ServiceConfig, o: RunOptions, rand?: string): CreateRequest {
  // container_name names the service's replica, never a one-off: it would collide with it.
  const { containerName: _cn, ...unnamed } = s;
  const base = createRequest(p, unnamed, { number: 1, hash: serviceHash(p, s) });
  delete base.stopTimeout;
  const env = new Map(base.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv] as const));
  for (const e of o.env) {
    const i = e.indexOf('=');
    if (i === 0) throw invalid('cli.bad_value', `invalid -e "${e}": no name before =`);
    const k = i < 0 ? e : e.slice(0, i);
    const v = i < 0 ? process.env[k] : e.slice(i + 1);
    if (v !== undefined) env.set(k, `${k}=${v}`);
  }
  const req: CreateRequest = {
    ...base,
    name: o.name ?? oneOffName(p, s, rand),
    env: [...env.values()],
    ports: [...(o.servicePorts ? s.ports : []), ...o.publish],
    // A one-off is run once: no restart policy, and no healthcheck gating anything.
    restart: { name: 'no', maxRetries: 0 },
    autoRemove: o.autoRemove,
    labels: { ...base.labels, [LABEL_ONEOFF]: 'True' },
  };
  if (o.command.length > 0) req.cmd = o.command;
  if (o.entrypoint !== undefined) {
    req.entrypoint = o.entrypoint;
    // As docker run --entrypoint: the image's command does not follow a new entrypoint.
    if (o.command.length === 0) req.cmd = [];
  }
  if (o.user !== undefined) req.user = o.user;
  if (o.workdir !== undefined) req.workdir = o.workdir;
  return req;
}

/** The replica --index N names (1 when not given), of the service's running containers. */
export function pickReplica(ctrs: readonly Container[], project: string, service: string, index: number | undefined): Container {
  const mine = ctrs.filter((c) => c.labels[LABEL_SERVICE] === service && c.labels[LABEL_ONEOFF] !== 'True');
  if (mine.length === 0)
    throw notFound('compose.no_container', `service "${service}" is not running`, `start it first: berth compose -p ${project} up -d ${service}`);
  const n = index ?? 1;
  const c = mine.find((x) => Number(x.labels[LABEL_NUMBER] ?? '0') === n);
  if (!c) throw notFound('compose.no_container', `service "${service}" has no container number ${n}`);
  return c;
}
