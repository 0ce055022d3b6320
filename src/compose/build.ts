// `compose build` and the builds `up` does: each service with a build: section is built by
// berth's own builder (src/builder, which reaches the host only through the Engine's builder())
// and tagged with the service's image name, so that `up` then runs it like any other image.
import { isAbsolute, join } from 'node:path';
import { notFound } from '../common/errors.js';
import type { Engine } from '../engine/index.js';
import type { ComposeProject, ServiceConfig } from './model.js';

export interface BuildServicesOptions {
  /** Only these services (all with a build: section when empty). */
  services: readonly string[];
  noCache: boolean;
  /** --pull: FROM images are pulled again even when present. */
  pull: boolean;
  log: (line: string) => void;
}

/** The services `compose build SERVICE...` names, each of which must have a build: section. */
export function buildable(p: ComposeProject, names: readonly string[]): ServiceConfig[] {
  for (const n of names) if (!p.services.some((s) => s.name === n)) throw notFound('compose.no_such_service', `no such service: ${n}`);
  return p.services.filter((s) => s.build && (names.length === 0 || names.includes(s.name)));
}

export async function buildService(engine: Engine, s: ServiceConfig, o: Omit<BuildServicesOptions, 'services'>): Promise<string> {
  const b = s.build!;
  // The builder is loaded only when something is built: `up` of pulled images never pays for it.
  const { buildImage } = await import('../builder/builder.js');
  o.log(` Service ${s.name}  Building`);
  const r = await buildImage(engine, {
    contextDir: b.context,
    // Compose reads dockerfile relative to the context, where `berth build -f` reads it from the shell's directory.
    ...(b.dockerfileInline !== undefined
      ? { containerfileText: b.dockerfileInline }
      : b.dockerfile !== undefined
      ? { file: isAbsolute(b.dockerfile) ? b.dockerfile : join(b.context, b.dockerfile) }
      : {}),
    ...(b.target !== undefined ? { target: b.target } : {}),
    tags: [s.image, ...b.tags],
    buildArgs: b.args,
    labels: b.labels,
    noCache: o.noCache || b.noCache === true,
    network: b.network ?? 'none',
    pull: o.pull || b.pull === true ? 'always' : 'missing',
    log: (line) => o.log(`#${s.name} ${line}`),
  });
  o.log(` Service ${s.name}  Built`);
  return r.id;
}

export async function buildServices(engine: Engine, p: ComposeProject, o: BuildServicesOptions): Promise<void> {
  for (const s of buildable(p, o.services)) await buildService(engine, s, o);
}
