// kube generate on the host: the compose file or the containers read, translated by generate.ts,
// every object checked against the Kubernetes schemas, then the YAML.
import { notFound } from '../common/errors.js';
import type { Engine } from '../engine/index.js';
import { loadProject } from '../compose/load.js';
import { parseScale } from '../compose/plan.js';
import { containersToProject } from './fromcontainers.js';
import { generate } from './generate.js';
import { hostFiles } from './hostfiles.js';
import { validateAll } from './validate.js';
import { toYaml } from './yamlio.js';

export interface ExportOptions {
  type?: 'pod' | 'deployment';
  services: boolean;
}

export interface Exported {
  yaml: string;
  warnings: string[];
}

export async function fromCompose(o: ExportOptions & {
  file?: string;
  projectName?: string;
  only: readonly string[];
  scale: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}): Promise<Exported> {
  const p = loadProject({ cwd: o.cwd, env: o.env, ...(o.file !== undefined ? { file: o.file } : {}),
    ...(o.projectName !== undefined ? { projectName: o.projectName } : {}) });
  for (const s of o.only) if (!p.services.some((x) => x.name === s)) throw notFound('compose.no_such_service', `no such service: ${s}`);
  const g = generate(p, { type: o.type ?? 'deployment', services: o.services, scale: parseScale(o.scale, p), only: o.only, files: hostFiles });
  validateAll(g.objects, 'kube generate');
  return { yaml: toYaml(g.objects), warnings: g.warnings };
}

export async function fromContainers(engine: Engine, refs: readonly string[], o: ExportOptions): Promise<Exported> {
  const ctrs = [];
  for (const r of refs) ctrs.push(await engine.containers.get(r));
  const nets = (await engine.networks.list()).map((n) => ({ name: n.name, subnet: n.subnet, internal: n.internal }));
  const c = containersToProject(ctrs, nets);
  const g = generate(c.project, { type: o.type ?? 'pod', services: o.services, files: hostFiles, fromContainers: true, readOnly: c.readOnly });
  validateAll(g.objects, 'kube generate');
  return { yaml: toYaml(g.objects), warnings: [...c.warnings, ...g.warnings] };
}
