// The files berth keeps for secrets and configs that are not a host file mounted as it is: the
// values of environment: and content: entries, and host files given a uid, gid or mode (a bind
// mount shows the host file's own). Each container has its own copies, owned and moded as the
// service asks, under ROOT/compose/PROJECT/CONTAINER/, so that a recreate rewrites them and
// `down` removes them with the project.
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../engine/index.js';
import type { ServiceConfig, ServiceFile } from './model.js';

const ownFile = (f: ServiceFile) => f.data !== undefined || f.uid !== undefined || f.gid !== undefined || f.mode !== undefined;

export const projectFilesDir = (engine: Engine, project: string) => join(engine.config.paths.root, 'compose', project);

/** The service with every secret and config that needs one given a file of berth's, written now. */
export async function withOwnFiles(engine: Engine, project: string, s: ServiceConfig, container: string): Promise<ServiceConfig> {
  const all = [...s.secrets, ...s.configs];
  if (!all.some(ownFile)) return s;
  // Names of projects and containers are checked names: no slash, no "..".
  const dir = join(projectFilesDir(engine, project), container);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const place = async (f: ServiceFile, i: number, kind: string): Promise<ServiceFile> => {
    if (!ownFile(f)) return f;
    const path = join(dir, `${kind}-${i}-${f.source}`);
    await engine.files.write(path, f.data ?? readFileSync(f.file!));
    chmodSync(path, f.mode ?? 0o444);
    chownSync(path, f.uid ?? 0, f.gid ?? 0);
    return { ...f, file: path };
  };
  return {
    ...s,
    secrets: await Promise.all(s.secrets.map((f, i) => place(f, i, 'secret'))),
    configs: await Promise.all(s.configs.map((f, i) => place(f, i, 'config'))),
  };
}

/** `down`: the project's files go with its containers. */
export function removeProjectFiles(engine: Engine, project: string): void {
  rmSync(projectFilesDir(engine, project), { recursive: true, force: true });
}

/** A container that could not be made, or a one-off `run --rm` that is gone: its files go too. */
export function removeContainerFiles(engine: Engine, project: string, container: string): void {
  rmSync(join(projectFilesDir(engine, project), container), { recursive: true, force: true });
}
