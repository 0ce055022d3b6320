// Every object checked against the Kubernetes schemas of the kubernetes-models package before it
// is printed or played. The package is large, so it is loaded here, by kube verbs only, one kind
// at a time, from node_modules (the bundle leaves it out).
import { createRequire } from 'node:module';
import { invalid } from '../common/errors.js';
import type { Manifest } from './types.js';
import { show } from '../common/show.js';

interface Validatable {
  validate(): void;
}
type ModelClass = new(data: unknown) => Validatable;

// require, not import(): the bundle runs in a vm.Script, where a dynamic import is an
// experimental feature that prints a warning. The package ships CommonJS beside its ESM.
const MODULES: Record<string, string> = {
  Pod: 'kubernetes-models/v1/Pod',
  Deployment: 'kubernetes-models/apps/v1/Deployment',
  Job: 'kubernetes-models/batch/v1/Job',
  Service: 'kubernetes-models/v1/Service',
  ConfigMap: 'kubernetes-models/v1/ConfigMap',
  Secret: 'kubernetes-models/v1/Secret',
  PersistentVolumeClaim: 'kubernetes-models/v1/PersistentVolumeClaim',
};

function load(kind: string): ModelClass | undefined {
  const id = MODULES[kind];
  if (id === undefined) return undefined;
  return (createRequire(import.meta.url)(id) as Record<string, ModelClass>)[kind];
}

/** The schema's first complaint about an object, or undefined when it passes. */
export function schemaError(obj: Manifest | Record<string, unknown>): string | undefined {
  const kind = String((obj as { kind?: unknown }).kind);
  const Model = load(kind);
  if (!Model) return `kind ${kind} has no schema here`;
  try {
    new Model(obj).validate();
    return undefined;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
}

/** ajv's "data/spec/ports/0/port must be integer" as "spec.ports[0].port must be integer". */
function fieldPath(err: string): string {
  return err.replace(/^data\/?(\S*)/,
    (_m, path: string) => path.split('/').reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), ''));
}

/** Throws naming the object and the first field the schema refuses. */
export function validateAll(objs: ReadonlyArray<Manifest | Record<string, unknown>>, where: string): void {
  for (const o of objs) {
    const err = schemaError(o);
    if (err !== undefined) {
      const m = o as { kind?: unknown; metadata?: { name?: unknown } };
      throw invalid('kube.schema', `${where}: ${String(m.kind)} ${show(m.metadata?.name ?? '(no name)')}: ${fieldPath(err)}`);
    }
  }
}
