// kube play and kube down on the host: a manifest file read, checked against the schemas,
// translated to a compose project and run by compose's own up and down. What play makes is
// labelled with the file, so down removes that and nothing else.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { conflict, exists, invalid, notFound } from '../common/errors.js';
import type { Engine } from '../engine/index.js';
import { LABEL_PROJECT } from '../compose/model.js';
import { down, projectContainers, up, type Log } from '../compose/project.js';
import { normalizeProjectName } from '../compose/text.js';
import { translate, type PlayPlan } from './translate.js';
import { KINDS, LABEL_KUBE_FILE } from './types.js';
import { validateAll } from './validate.js';
import { parseManifests } from './yamlio.js';

export interface Played {
  file: string;
  project: string;
  dataDir: string;
  plan: PlayPlan;
}

/** Reads, validates and translates a manifest file; nothing on the host is touched. */
export async function readPlay(engine: Engine, fileArg: string): Promise<Played> {
  const file = resolve(fileArg);
  const label = basename(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw notFound('kube.no_file', `cannot read ${fileArg}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const project = normalizeProjectName(label.replace(/\.(ya?ml|json)$/i, ''));
  if (!project) throw invalid('kube.bad_project_name', `${label}: the file name gives no project name (it must contain a letter or digit)`);
  const docs = parseManifests(text, label);
  // The schemas first: a wrong type is named as Kubernetes would name it. An unknown kind has
  // none; translate refuses it by name.
  validateAll((docs as Array<Record<string, unknown>>).filter((d) => typeof d?.kind === 'string' && d.kind in KINDS), label);
  const dataDir = join(engine.config.paths.root, 'kube', project);
  const plan = translate(docs, { file, label, project, workingDir: dirname(file), dataDir });
  return { file, project, dataDir, plan };
}

/** Refuses a project that compose, or another file, made: play and down touch only their own. */
async function owned(engine: Engine, p: Played): Promise<boolean> {
  const ctrs = await projectContainers(engine, p.project);
  const nets = (await engine.networks.list()).filter((n) => n.labels[LABEL_PROJECT] === p.project);
  for (const o of [...ctrs, ...nets]) {
    const from = o.labels[LABEL_KUBE_FILE];
    if (from === undefined)
      throw conflict('kube.not_ours', `project ${p.project} exists and was not made by kube play`,
        `remove it with berth compose -p ${p.project} down, or rename ${basename(p.file)}`);
    if (from !== p.file) throw conflict('kube.not_ours', `project ${p.project} was played from ${from}, not ${p.file}`, `berth kube down ${from}`);
  }
  return ctrs.length > 0 || nets.length > 0;
}

function writeData(p: Played): void {
  rmSync(p.dataDir, { recursive: true, force: true });
  // The parent keeps other host users out of Secrets; inside, files are readable by any user
  // of the container, as Kubernetes' default mode 0644 makes them.
  mkdirSync(dirname(p.dataDir), { recursive: true, mode: 0o700 });
  mkdirSync(p.dataDir, { mode: 0o755 });
  for (const f of p.plan.files) {
    const dir = join(p.dataDir, f.path[0], f.path[1]);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    writeFileSync(join(dir, f.path[2]), f.data, { mode: 0o644 });
  }
  // A ConfigMap or Secret without keys is still an (empty) directory to mount.
  for (const s of p.plan.project.services) {
    for (const v of s.volumes)
      if (v.type === 'bind' && v.source.startsWith(`${p.dataDir}/`) && !existsSync(v.source)) mkdirSync(v.source, { recursive: true, mode: 0o755 });
  }
}

export async function play(engine: Engine, fileArg: string, o: { replace: boolean; log: Log }): Promise<void> {
  const p = await readPlay(engine, fileArg);
  if (await owned(engine, p)) {
    if (!o.replace)
      throw exists('kube.exists', `${basename(p.file)} is already played (project ${p.project})`, 'give --replace to replace it, or run berth kube down first');
    await remove(engine, p, { volumes: false, log: o.log });
  }
  writeData(p);
  try {
    await up(engine, p.plan.project, { log: o.log });
  } catch (e) {
    // Nothing half made: what this play created goes, the first error is the one reported.
    try {
      await remove(engine, p, { volumes: false, log: () => {} });
    } catch { /* keep e */ }
    throw e;
  }
}

async function remove(engine: Engine, p: Played, o: { volumes: boolean; log: Log }): Promise<void> {
  await down(engine, p.project, { volumes: o.volumes, project: p.plan.project, log: o.log });
  rmSync(p.dataDir, { recursive: true, force: true });
}

/** kube down: the containers, network and files play made; the claims' volumes with --force. */
export async function kubeDown(engine: Engine, fileArg: string, o: { force: boolean; log: Log }): Promise<void> {
  const p = await readPlay(engine, fileArg);
  if (!(await owned(engine, p))) {
    // Its containers were removed another way (compose down): the files go too.
    rmSync(p.dataDir, { recursive: true, force: true });
    throw notFound('kube.not_played', `${basename(p.file)} is not played (no project ${p.project})`);
  }
  await remove(engine, p, { volumes: o.force, log: o.log });
}
