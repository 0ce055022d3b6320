// berth compose run: a one-off container of a service, named and labelled as Compose does, after
// its image and networks (and, unless --no-deps, its dependencies) are brought up.
import { bool, list, str, type ParsedArgs } from '../args.js';
import { out } from '../render.js';
import { notFound } from '../../common/errors.js';
import type { Engine } from '../../engine/index.js';
import { up } from '../../compose/project.js';
import { oneOffName, runRequest } from '../../compose/oneoff.js';
import { log, need, target, upFlags } from './compose-common.js';
import type { OptionDef } from '../args.js';

type Sub = (defs: OptionDef[]) => ParsedArgs;

export async function runVerb(engine: Engine, g: ParsedArgs, sub: Sub): Promise<number> {
  const p = sub([
    { long: 'rm', type: 'boolean' },
    { long: 'detach', short: 'd', type: 'boolean' },
    { long: 'no-TTY', short: 'T', type: 'boolean' },
    { long: 'interactive', short: 'i', type: 'boolean' },
    { long: 'tty', type: 'boolean' },
    { long: 'env', short: 'e', type: 'string', multiple: true },
    { long: 'entrypoint', type: 'string' },
    { long: 'name', type: 'string' },
    { long: 'user', short: 'u', type: 'string' },
    { long: 'workdir', short: 'w', type: 'string' },
    { long: 'no-deps', type: 'boolean' },
    { long: 'service-ports', type: 'boolean' },
    { long: 'publish', short: 'p', type: 'string', multiple: true },
    { long: 'build', type: 'boolean' },
    { long: 'pull', type: 'string' },
    { long: 'quiet-pull', type: 'boolean' },
  ]);
  const [service, ...command] = need(p, 1, 'run', '[--rm] [-d] [-T] [-e K=V] [--entrypoint CMD] [--no-deps] SERVICE [COMMAND [ARG...]]');
  const project = target(g, true).project!;
  const s = project.services.find((x) => x.name === service);
  if (!s) throw notFound('compose.no_such_service', `no such service: ${service}`);
  const entry = str(p.values.entrypoint);
  const { splitWords } = await import('../../compose/text.js');
  const name = str(p.values.name) ?? oneOffName(project, s);
  const user = str(p.values.user);
  const workdir = str(p.values.workdir);
  const { withOwnFiles } = await import('../../compose/secret-files.js');
  (await import('../../compose/project.js')).makeBindSources(s);
  const req = runRequest(project, await withOwnFiles(engine, project.name, s, name), {
    command,
    env: list(p.values.env),
    autoRemove: bool(p.values.rm),
    servicePorts: bool(p.values['service-ports']),
    publish: list(p.values.publish),
    ...(entry !== undefined ? { entrypoint: splitWords(entry, '--entrypoint') } : {}),
    name,
    ...(user !== undefined ? { user } : {}),
    ...(workdir !== undefined ? { workdir } : {}),
  });
  // The dependencies are brought up first, as `up` would, then the one-off alone.
  const deps = bool(p.values['no-deps']) ? [] : s.dependsOn.map((d) => d.service).filter((d) => project.services.some((x) => x.name === d));
  await up(engine, project, { ...upFlags(p), services: [s.name], noDeps: true, prepareOnly: true, log });
  if (deps.length > 0) await up(engine, project, { ...upFlags(p), services: deps, log });
  const { removeContainerFiles } = await import('../../compose/secret-files.js');
  // The files written for the one-off's secrets go with it when it is removed (or never made).
  const cleanup = () => removeContainerFiles(engine, project.name, name);
  try {
    if (bool(p.values.detach)) {
      out(`${(await engine.containers.run(req)).name}\n`);
      return 0;
    }
    // As docker compose run: stdin is forwarded, and a terminal given when there is one, unless -T.
    // The one-off is held by conmon, as `berth run -i` is; berth is a client of its attach socket.
    const tty = !bool(p.values['no-TTY']) && process.stdin.isTTY === true;
    const a = await import('./attach.js');
    const { session } = await engine.containers.runAttached({ ...req, autoRemove: false, tty, openStdin: true }, { stdin: true });
    const code = await a.runSession(engine, session, {
      sigProxy: true,
      // Detached from (ctrl-p ctrl-q): the exit callback removes it; its files go with `down`.
      ...(req.autoRemove ? { onDetach: () => engine.containers.removeOnExit(session.id) } : {}),
    });
    if (req.autoRemove) {
      await engine.containers.removeIfExited(session.id);
      cleanup();
    }
    return code;
  } catch (e) {
    if (!await engine.containers.get(name).then(() => true, () => false)) cleanup();
    throw e;
  }
}
