// berth compose [-f FILE] [-p NAME] VERB: stacks from compose files. Parsing and the work are
// in src/compose; this file reads flags and prints.
import { writeFileSync } from 'node:fs';
import { faultVerb } from '../../common/fault.js';
import { parse as parseYamlText } from 'yaml';
import type { CommandContext } from '../main.js';
import { parseArgs, bool, str, list, type OptionDef, type ParsedArgs } from '../args.js';
import { json, out, table } from '../render.js';
import { invalid, notFound } from '../../common/errors.js';
import { createEngine, type Engine } from '../../engine/index.js';
import { loadProject, findComposeFile } from '../../compose/load.js';
import { normalizeProjectName } from '../../compose/text.js';
import type { ComposeProject } from '../../compose/model.js';
import { parseScale } from '../../compose/plan.js';
import { projectToYaml } from '../../compose/render.js';
import { down, projectContainers, restart, start, stop, up } from '../../compose/project.js';
import { psRows } from '../../compose/views.js';
import { streamLogs } from '../../compose/logs.js';
import { statusText } from './container.js';

const HELP: OptionDef = { long: 'help', type: 'boolean' };

const USAGE = `Usage: berth compose [-f FILE] [-p NAME] COMMAND

Runs a stack of containers from a compose file (default: compose.yaml or docker-compose.yml
in the current directory).

Commands:
  up [-d] [--scale SERVICE=N] [SERVICE...]   create and start, or bring up to date
  down [-v] [-t SECONDS]                     remove containers and networks (-v: named volumes)
  ps [-a] [-q] [--format table|json]         the project's containers
  logs [-f] [-t] [--tail N] [SERVICE...]     their output, prefixed SERVICE-N |
  stop [-t SECONDS] [SERVICE...]
  start [SERVICE...]
  restart [-t SECONDS] [SERVICE...]
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

interface Target {
  name: string;
  /** Absent when only -p was given and no compose file is here (down, ps, logs still work). */
  project?: ComposeProject;
}

function target(p: ParsedArgs, needFile: boolean, services?: readonly string[]): Target {
  const files = list(p.values.file);
  const pname = str(p.values['project-name']);
  const dir = str(p.values['project-directory']);
  const cwd = process.cwd();
  if (files.length > 0 || process.env.COMPOSE_FILE || findComposeFile(cwd) || needFile || pname === undefined) {
    const project = loadProject({
      cwd,
      env: process.env,
      files,
      envFiles: list(p.values['env-file']),
      profiles: list(p.values.profile),
      warn: (w) => log(`warning: ${w}`),
      ...(services && services.length > 0 ? { services } : {}),
      ...(pname !== undefined ? { projectName: pname } : {}),
      ...(dir !== undefined ? { projectDirectory: dir } : {}),
    });
    return { name: project.name, project };
  }
  const name = normalizeProjectName(pname);
  if (!name) throw invalid('compose.bad_project_name', `invalid project name "${pname}"`);
  return { name };
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function timeoutOf(p: ParsedArgs): number | undefined {
  const t = str(p.values.timeout);
  if (t === undefined) return undefined;
  if (!/^\d+$/.test(t)) throw invalid('cli.bad_value', `invalid --timeout "${t}": expected whole seconds`);
  return Number(t);
}

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
  const sub = (defs: OptionDef[]) => {
    const parsed = parseArgs(rest, [...defs, HELP], { command: `compose ${verb}`, ownHelp: true });
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
      ]));
    case 'down': {
      const p = sub([
        // down removes every container labelled with the project, orphans included, so
        // --remove-orphans (Compose's flag) asks for nothing more.
        { long: 'volumes', short: 'v', type: 'boolean' },
        { long: 'remove-orphans', type: 'boolean' },
        { long: 'timeout', short: 't', type: 'string', aliases: ['time'] },
      ]);
      const t = target(g, false);
      const timeout = timeoutOf(p);
      await down(engine, t.name, {
        volumes: bool(p.values.volumes),
        log,
        ...(t.project ? { project: t.project } : {}),
        ...(timeout !== undefined ? { timeoutSec: timeout } : {}),
      });
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
      else text = format === 'json' ? json(parseYamlText(projectToYaml(project))) : projectToYaml(project);
      const file = str(p.values.output);
      if (file === undefined) out(text);
      else writeFileSync(file, text);
      return 0;
    }
    default:
      throw invalid('cli.unknown_command', `unknown compose command "${verb}"`, "see 'berth compose --help'");
  }
}

async function upCmd(engine: Engine, g: ParsedArgs, p: ParsedArgs): Promise<number> {
  const t = target(g, true, p.positionals);
  const project = t.project!;
  const scale = parseScale(list(p.values.scale), project);
  await up(engine, project, { scale, services: p.positionals, log });
  if (bool(p.values.detach)) return 0;
  // Attached, as Compose: the logs until Ctrl-C, then the project is stopped.
  let interrupted = false;
  const onInt = () => {
    interrupted = true;
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onInt);
  try {
    const ctrs = (await projectContainers(engine, project.name)).filter((x) =>
      p.positionals.length === 0 || p.positionals.includes(x.labels['com.docker.compose.service'] ?? '')
    );
    await streamLogs(engine, ctrs, {
      follow: true,
      timestamps: false,
      stopped: () => interrupted,
      onStop: async () => {
        log('Gracefully stopping...');
        await stop(engine, project.name, { services: [], project, log });
      },
      write: (s, text) => (s === 'stdout' ? process.stdout : process.stderr).write(text),
    });
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onInt);
  }
  return interrupted ? 130 : 0;
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
  if (format === 'json') {
    out(json(rows.map((r) => ({
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
    }))));
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
