// berth compose [-f FILE] [-p NAME] VERB: stacks from compose files. Parsing and the work are
// in src/compose; this file reads flags and prints.
import { writeFileSync } from 'node:fs';
import { faultVerb } from '../../common/fault.js';
import type { CommandContext } from '../main.js';
import { parseArgs, bool, str, list, type OptionDef, type ParsedArgs } from '../args.js';
import { json, out, table } from '../render.js';
import { invalid, notFound, unavailable } from '../../common/errors.js';
import { createEngine, type Engine } from '../../engine/index.js';
import { log, target, timeoutOf, upFlags } from './compose-common.js';
import { parseScale } from '../../compose/plan.js';
import { projectModel, projectToYaml } from '../../compose/render.js';
import { down, projectContainers, restart, start, stop, up } from '../../compose/project.js';
import { psRows } from '../../compose/views.js';
import { streamLogs } from '../../compose/logs.js';
import { statusText } from './container.js';

const HELP: OptionDef = { long: 'help', type: 'boolean' };

const USAGE = `Usage: berth compose [-f FILE] [-p NAME] COMMAND

Runs a stack of containers from a compose file (default: compose.yaml or docker-compose.yml
in the current directory).

Commands:
  up [-d] [--scale SERVICE=N] [SERVICE...]   create and start, or bring up to date; also
     [--build|--no-build] [--pull always|missing|never] [--force-recreate|--no-recreate]
     [--no-start] [--no-deps] [--remove-orphans] [-t SECONDS] [--wait [--wait-timeout S]]
     [--abort-on-container-exit] [--exit-code-from SERVICE] [--no-color]
  down [-v] [--rmi local|all] [--remove-orphans] [-t SECONDS]
                                             remove containers and networks (-v: named volumes)
  create [--build] [--force-recreate|--no-recreate] [SERVICE...]   up without starting
  build [--no-cache] [--pull] [-q] [SERVICE...]   build the services that have build:
  pull [--ignore-buildable] [SERVICE...]     pull the services' images
  push [SERVICE...]                          push the images of the services that build
  run [--rm] [-d] [-T] [-e K=V] [--entrypoint CMD] [--name NAME] [-u USER] [-w DIR]
      [--no-deps] [--service-ports] [-p PORT] SERVICE [COMMAND [ARG...]]   a one-off container
  exec [-T] [-e K=V] [-w DIR] [-u USER] [--index N] SERVICE COMMAND [ARG...]
  ps [-a] [-q] [--format table|json]         the project's containers (json: one object a line)
  logs [-f] [-t] [--tail N] [--no-color] [SERVICE...]   their output, prefixed SERVICE-N |
  stop [-t SECONDS] [SERVICE...]
  start [SERVICE...]
  restart [-t SECONDS] [SERVICE...]
  kill [-s SIGNAL] [SERVICE...]
  pause [SERVICE...]
  unpause [SERVICE...]
  rm [-f] [-s] [-v] [SERVICE...]             remove stopped service containers
  scale SERVICE=N...                         set replica counts
  top [SERVICE...]                           the processes of each container
  images [-q] [--format table|json] [SERVICE...]   the images the containers run
  port [--index N] [--protocol tcp|udp] SERVICE PRIVATE_PORT   the published host address
  cp [--index N] [-a] [-L] SERVICE:SRC DEST | SRC SERVICE:DEST
  wait [--down-project] SERVICE...           until they stop; prints their exit codes
  ls [-a] [-q] [--format table|json]         the projects on this host (running; -a: all)
  events [--json] [--since T] [--until T] [SERVICE...]   the containers' events, followed
  version [--short]
  config [--services|--volumes|--images] [-q] [--format yaml|json] [-o FILE]
                                             the resolved model: merged, interpolated, absolute

Options:
  -f, --file FILE            a compose file; several are merged in order (default: compose.yaml
                             and compose.override.yaml, or COMPOSE_FILE)
  -p, --project-name NAME    the project name (default: COMPOSE_PROJECT_NAME, the file's name:,
                             else the project directory's name)
      --project-directory DIR  where relative paths and .env are (default: the first file's)
      --env-file FILE        variables for interpolation instead of .env (repeatable)
      --profile NAME         activate a profile (repeatable; also COMPOSE_PROFILES)
`;

export async function composeCmd(c: CommandContext): Promise<number> {
  const g = parseArgs(c.argv, [
    { long: 'file', short: 'f', type: 'string', multiple: true },
    { long: 'project-name', short: 'p', type: 'string' },
    { long: 'env-file', type: 'string', multiple: true },
    { long: 'profile', type: 'string', multiple: true },
    { long: 'project-directory', type: 'string' },
    HELP,
  ], { stopAtPositional: true, command: c.path, ownHelp: true });
  const [verb, ...rest] = g.positionals;
  if (bool(g.values.help) || verb === 'help') {
    out(USAGE);
    return 0;
  }
  if (!verb) {
    process.stderr.write(USAGE);
    return 125;
  }
  const engine = createEngine(c.config);
  // run and exec stop at SERVICE: what follows is the container's command, dashes and all.
  const sub = (defs: OptionDef[]) => {
    const parsed = parseArgs(rest, [...defs, HELP], { command: `compose ${verb}`, ownHelp: true, stopAtPositional: verb === 'run' || verb === 'exec' });
    if (bool(parsed.values.help)) throw new HelpShown();
    return parsed;
  };
  try {
    return await verbCmd(verb, engine, g, sub);
  } catch (e) {
    if (!(e instanceof HelpShown)) throw e;
    out(USAGE);
    return 0;
  }
}

/** `berth compose VERB --help`: thrown by the flag parsing of any verb, caught above. */
class HelpShown extends Error {}

async function verbCmd(verb: string, engine: Engine, g: ParsedArgs, sub: (defs: OptionDef[]) => ParsedArgs): Promise<number> {
  faultVerb(`compose ${verb}`);
  switch (verb) {
    case 'up':
      return upCmd(engine, g, sub([
        { long: 'detach', short: 'd', type: 'boolean' },
        { long: 'scale', type: 'string', multiple: true },
        { long: 'build', type: 'boolean' },
        { long: 'no-build', type: 'boolean' },
        { long: 'pull', type: 'string' },
        { long: 'force-recreate', type: 'boolean' },
        { long: 'no-recreate', type: 'boolean' },
        { long: 'no-start', type: 'boolean' },
        { long: 'no-deps', type: 'boolean' },
        { long: 'remove-orphans', type: 'boolean' },
        { long: 'timeout', short: 't', type: 'string', aliases: ['time'] },
        { long: 'wait', type: 'boolean' },
        { long: 'wait-timeout', type: 'string' },
        { long: 'abort-on-container-exit', type: 'boolean' },
        { long: 'exit-code-from', type: 'string' },
        { long: 'quiet-pull', type: 'boolean' },
        { long: 'no-color', type: 'boolean' },
      ]));
    case 'down': {
      const p = sub([
        // down removes every container labelled with the project, orphans included, so
        // --remove-orphans (Compose's flag) asks for nothing more.
        { long: 'volumes', short: 'v', type: 'boolean' },
        { long: 'remove-orphans', type: 'boolean' },
        { long: 'timeout', short: 't', type: 'string', aliases: ['time'] },
        { long: 'rmi', type: 'string' },
      ]);
      const t = target(g, false);
      const timeout = timeoutOf(p);
      const rmi = str(p.values.rmi);
      if (rmi !== undefined && rmi !== 'local' && rmi !== 'all') throw invalid('cli.bad_value', `invalid --rmi "${rmi}": use local or all`);
      if (rmi !== undefined && !t.project)
        throw invalid('compose.rmi_needs_file', "down --rmi needs the compose file to know the project's images",
          'run it where the compose file is, or give -f FILE');
      await down(engine, t.name, {
        volumes: bool(p.values.volumes),
        log,
        ...(t.project ? { project: t.project } : {}),
        ...(timeout !== undefined ? { timeoutSec: timeout } : {}),
      });
      if (rmi !== undefined) {
        // local: only the images compose named itself (built without an image: key), as Compose.
        const images = new Set(t.project!.services.filter((s) => rmi === 'all' || (s.build && s.image === `${t.name}-${s.name}`)).map((s) => s.image));
        for (const ref of images) {
          if (!await engine.images.exists(ref)) continue;
          await engine.images.remove(ref);
          log(` Image ${ref}  Removed`);
        }
      }
      return 0;
    }
    case 'ps':
      return psCmd(engine, g, sub([
        { long: 'all', short: 'a', type: 'boolean' },
        { long: 'quiet', short: 'q', type: 'boolean' },
        { long: 'format', type: 'string' },
      ]));
    case 'logs': {
      const p = sub([
        { long: 'follow', short: 'f', type: 'boolean' },
        { long: 'timestamps', short: 't', type: 'boolean' },
        { long: 'tail', short: 'n', type: 'string' },
        { long: 'no-color', type: 'boolean' },
      ]);
      const t = target(g, false);
      const tail = str(p.values.tail);
      if (tail !== undefined && tail !== 'all' && !/^\d+$/.test(tail)) throw invalid('cli.bad_value', `invalid --tail "${tail}": expected a number or all`);
      let ctrs = await projectContainers(engine, t.name);
      if (ctrs.length === 0) throw notFound('compose.no_containers', `project ${t.name} has no containers`);
      if (p.positionals.length > 0) {
        for (const s of p.positionals)
          if (!ctrs.some((x) => x.labels['com.docker.compose.service'] === s))
            throw notFound('compose.no_such_service', `no such service in project ${t.name}: ${s}`);
        ctrs = ctrs.filter((x) => p.positionals.includes(x.labels['com.docker.compose.service'] ?? ''));
      }
      let interrupted = false;
      const onInt = () => {
        interrupted = true;
      };
      process.on('SIGINT', onInt);
      try {
        await streamLogs(engine, ctrs, {
          follow: bool(p.values.follow),
          timestamps: bool(p.values.timestamps),
          stopped: () => interrupted,
          color: colored(p),
          ...(tail !== undefined && tail !== 'all' ? { tail: Number(tail) } : {}),
          write: (s, text) => (s === 'stdout' ? process.stdout : process.stderr).write(text),
        });
      } finally {
        process.off('SIGINT', onInt);
      }
      return 0;
    }
    case 'stop':
    case 'restart': {
      const p = sub([{ long: 'timeout', short: 't', type: 'string', aliases: ['time'] }]);
      const t = target(g, false);
      const timeout = timeoutOf(p);
      const o = { services: p.positionals, log, ...(t.project ? { project: t.project } : {}), ...(timeout !== undefined ? { timeoutSec: timeout } : {}) };
      if (verb === 'stop') await stop(engine, t.name, o);
      else await restart(engine, t.name, o);
      return 0;
    }
    case 'start': {
      const p = sub([]);
      const t = target(g, false);
      await start(engine, t.name, { services: p.positionals, log, ...(t.project ? { project: t.project } : {}) });
      return 0;
    }
    case 'config': {
      const p = sub([
        { long: 'services', type: 'boolean' },
        { long: 'volumes', type: 'boolean' },
        { long: 'images', type: 'boolean' },
        { long: 'quiet', short: 'q', type: 'boolean' },
        { long: 'format', type: 'string' },
        { long: 'output', short: 'o', type: 'string' },
      ]);
      const format = str(p.values.format) ?? 'yaml';
      if (format !== 'yaml' && format !== 'json') throw invalid('cli.bad_format', `unknown --format "${format}": use yaml or json`);
      const project = target(g, true, p.positionals).project!;
      if (bool(p.values.quiet)) return 0;
      let text: string;
      if (bool(p.values.services)) text = project.services.map((x) => `${x.name}\n`).join('');
      else if (bool(p.values.volumes)) text = project.volumes.map((x) => `${x.key}\n`).join('');
      else if (bool(p.values.images)) text = project.services.map((x) => `${x.image}\n`).join('');
      else text = format === 'json' ? json(projectModel(project, 'json')) : projectToYaml(project);
      const file = str(p.values.output);
      if (file === undefined) out(text);
      else writeFileSync(file, text);
      return 0;
    }
    default: {
      const { moreVerbs } = await import('./compose-verbs.js');
      const code = await moreVerbs(verb, engine, g, sub);
      if (code !== undefined) return code;
      throw invalid('cli.unknown_command', `unknown compose command "${verb}"`, "see 'berth compose --help'");
    }
  }
}

/** As Compose's --ansi auto: colours on a terminal, unless --no-color. */
const colored = (p: ParsedArgs): boolean => process.stdout.isTTY === true && !bool(p.values['no-color']);

async function upCmd(engine: Engine, g: ParsedArgs, p: ParsedArgs): Promise<number> {
  const t = target(g, true, p.positionals);
  const project = t.project!;
  const scale = parseScale(list(p.values.scale), project);
  const exitFrom = str(p.values['exit-code-from']);
  const abortOnExit = bool(p.values['abort-on-container-exit']) || exitFrom !== undefined;
  const detach = bool(p.values.detach) || bool(p.values.wait);
  if (abortOnExit && detach) throw invalid('cli.bad_value', '--abort-on-container-exit and --exit-code-from cannot be combined with -d or --wait');
  if (exitFrom !== undefined && !project.services.some((s) => s.name === exitFrom)) throw notFound('compose.no_such_service', `no such service: ${exitFrom}`);
  const waitTimeout = str(p.values['wait-timeout']);
  if (waitTimeout !== undefined && !/^\d+$/.test(waitTimeout))
    throw invalid('cli.bad_value', `invalid --wait-timeout "${waitTimeout}": expected whole seconds`);
  const flags = upFlags(p);
  const noStart = bool(p.values['no-start']);
  await up(engine, project, {
    ...flags,
    scale,
    services: p.positionals,
    noStart,
    noDeps: bool(p.values['no-deps']),
    removeOrphans: bool(p.values['remove-orphans']),
    log,
  });
  if (noStart) return 0;
  const ctrs = (await projectContainers(engine, project.name)).filter((x) =>
    x.labels['com.docker.compose.oneoff'] !== 'True'
    && (p.positionals.length === 0 || p.positionals.includes(x.labels['com.docker.compose.service'] ?? ''))
  );
  if (bool(p.values.wait)) {
    const { waitReady } = await import('../../compose/health.js');
    const ready = waitReady(engine, project, ctrs, log);
    if (waitTimeout === undefined) await ready;
    else {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(unavailable('compose.wait_timeout', `the project was not ready within ${waitTimeout}s`)), Number(waitTimeout) * 1000);
      });
      await Promise.race([ready, late]).finally(() => clearTimeout(timer));
    }
    return 0;
  }
  if (detach) return 0;
  // Attached, as Compose: the logs until Ctrl-C (or, with --abort-on-container-exit, until the
  // first container exits), then the project is stopped.
  let interrupted = false;
  let exited: { service: string; code: number } | undefined;
  const onInt = () => {
    interrupted = true;
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onInt);
  const quit = new AbortController();
  if (abortOnExit) {
    for (const c of ctrs) {
      engine.containers.wait(c.id, { signal: quit.signal }).then((done) => {
        exited ??= { service: c.labels['com.docker.compose.service'] ?? '', code: done.exitCode ?? 0 };
      }, () => {/* aborted, or removed meanwhile */});
    }
  }
  try {
    await streamLogs(engine, ctrs, {
      follow: true,
      timestamps: false,
      stopped: () => interrupted || exited !== undefined,
      color: colored(p),
      onStop: async () => {
        log(interrupted ? 'Gracefully stopping...' : 'Aborting on container exit...');
        const timeout = flags.timeoutSec;
        await stop(engine, project.name, { services: [], project, log, ...(timeout !== undefined ? { timeoutSec: timeout } : {}) });
      },
      write: (s, text) => (s === 'stdout' ? process.stdout : process.stderr).write(text),
    });
  } finally {
    quit.abort();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onInt);
  }
  if (interrupted) return 130;
  if (exitFrom !== undefined) {
    const c = ctrs.find((x) => x.labels['com.docker.compose.service'] === exitFrom);
    return c ? (await engine.containers.get(c.id)).exitCode ?? 0 : 0;
  }
  return exited?.code ?? 0;
}

async function psCmd(engine: Engine, g: ParsedArgs, p: ParsedArgs): Promise<number> {
  const t = target(g, false);
  const rows = await psRows(engine, t.name, { all: bool(p.values.all), services: p.positionals });
  if (bool(p.values.quiet)) {
    out(rows.map((r) => `${r.container.id}\n`).join(''));
    return 0;
  }
  const format = str(p.values.format) ?? 'table';
  const now = Date.now();
  // Docker Compose 2.21 and later print one object a line, as docker ps does.
  if (format === 'json') {
    out(rows.map((r) =>
      `${
        JSON.stringify({
          ID: r.container.id,
          Name: r.container.name,
          Image: r.container.imageRef,
          Service: r.service,
          Number: r.number,
          Project: t.name,
          State: r.container.status,
          Status: statusText(r.container, now),
          StartedAt: r.container.startedAt,
          Publishers: r.ports,
          Networks: r.addresses,
        })
      }\n`
    ).join(''));
    return 0;
  }
  if (format !== 'table') throw invalid('cli.bad_format', `unknown --format "${format}": use table or json`);
  out(table(['NAME', 'IMAGE', 'SERVICE', 'STATUS', 'PORTS', 'ADDRESSES'], rows.map((r) => [
    r.container.name,
    r.container.imageRef,
    r.service,
    statusText(r.container, now),
    r.ports.join(', '),
    r.addresses.map((a) => `${a.network}=${a.ip ?? '-'}`).join(', '),
  ])));
  return 0;
}
