// The Stacks page's buttons: compose up, down and scale of a project found by its containers'
// labels, through the compose module the CLI's `berth compose` uses (never below the Engine).
// Up and scale read the project's files again from the paths its containers were made from, as
// `berth compose -f FILE -p NAME up -d` would; down needs only the name.
import type { Engine } from '../engine/index.js';
import { ApiError } from '../api/errors.js';
import { loadProject } from '../compose/load.js';
import { down, up } from '../compose/project.js';
import { LABEL_PROJECT, LABEL_WORKDIR } from '../compose/model.js';

const CONFIG_FILES = 'com.docker.compose.project.config_files';

async function projectFiles(engine: Engine, name: string): Promise<{ files: string[]; dir: string }> {
  const ctrs = (await engine.containers.list()).filter((c) => c.labels[LABEL_PROJECT] === name);
  const c = ctrs.find((x) => x.labels[CONFIG_FILES]);
  if (!c) throw new ApiError(404, `no such project: ${name}`);
  return { files: c.labels[CONFIG_FILES]!.split(','), dir: c.labels[LABEL_WORKDIR] ?? '/' };
}

async function load(engine: Engine, name: string) {
  const { files, dir } = await projectFiles(engine, name);
  // The serve process's environment stands for the shell compose would run in.
  return loadProject({ files, projectName: name, projectDirectory: dir, cwd: dir, env: process.env });
}

export async function stackAction(engine: Engine, name: string, verb: string, q: URLSearchParams, log: (l: string) => void): Promise<void> {
  if (verb === 'down') {
    // Its files when they are still there, for compose's order; by the labels alone otherwise.
    const project = await load(engine, name).catch(() => undefined);
    return down(engine, name, { volumes: false, log, ...(project ? { project } : {}) });
  }
  if (verb === 'up') {
    await up(engine, await load(engine, name), { log });
    return;
  }
  if (verb === 'scale') {
    const service = q.get('service') ?? '';
    const n = Number(q.get('replicas'));
    if (!Number.isInteger(n) || n < 0 || n > 1000) throw new ApiError(400, `invalid replicas: ${q.get('replicas') ?? ''} (a whole number from 0)`);
    const project = await load(engine, name);
    if (!project.services.some((s) => s.name === service)) throw new ApiError(404, `no such service: ${service}`);
    await up(engine, project, { scale: new Map([[service, n]]), services: [service], log });
    return;
  }
  throw new ApiError(404, `no such action: ${verb}`);
}
