// The compose verbs beyond up/down/ps/logs/config: build, create, run, exec, pull, push, kill,
// pause, unpause, top, images, port, ls, cp, wait, rm, scale, events and version. Each reads its flags
// and prints as Docker Compose v2 does; the work is the Engine's, found through the labels.
import { bool, list, str, type OptionDef, type ParsedArgs } from '../args.js';
import { json, out, table } from '../render.js';
import { invalid, notFound } from '../../common/errors.js';
import type { Container, Engine } from '../../engine/index.js';
import { LABEL_ONEOFF, LABEL_PROJECT, LABEL_SERVICE } from '../../compose/model.js';
import { parseScale, startOrder } from '../../compose/plan.js';
import { projectContainers, up } from '../../compose/project.js';
import { pickReplica } from '../../compose/oneoff.js';
import { VERSION } from '../version.js';
import { log, need, target, upFlags } from './compose-common.js';
import { canPrompt, promptLine } from '../prompt.js';

export type Sub = (defs: OptionDef[]) => ParsedArgs;
const INDEX: OptionDef = { long: 'index', type: 'string' };

function indexOf(p: ParsedArgs): number | undefined {
  const i = str(p.values.index);
  if (i === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(i)) throw invalid('cli.bad_value', `invalid --index "${i}": expected a replica number from 1`);
  return Number(i);
}

/** The project's service containers (one-offs left out) of the services named, all when none. */
async function serviceCtrs(engine: Engine, project: string, services: readonly string[], opts: { running?: boolean } = {}): Promise<Container[]> {
  const all = (await projectContainers(engine, project, { reconcile: true })).filter((c) => c.labels[LABEL_ONEOFF] !== 'True');
  for (const s of services) {
    if (!all.some((c) => c.labels[LABEL_SERVICE] === s)) throw notFound('compose.no_such_service', `no such service in project ${project}: ${s}`);
  }
  return all.filter((c) => (services.length === 0 || services.includes(c.labels[LABEL_SERVICE] ?? '')) && (!opts.running || c.status === 'running'));
}

export async function moreVerbs(verb: string, engine: Engine, g: ParsedArgs, sub: Sub): Promise<number | undefined> {
  switch (verb) {
    case 'build': {
      const p = sub([{ long: 'no-cache', type: 'boolean' }, { long: 'pull', type: 'boolean' }, { long: 'quiet', short: 'q', type: 'boolean' }]);
      const project = target(g, true).project!;
      const { buildable, buildService } = await import('../../compose/build.js');
      const quiet = bool(p.values.quiet);
      for (const s of buildable(project, p.positionals)) {
        await buildService(engine, s, { noCache: bool(p.values['no-cache']), pull: bool(p.values.pull), log: quiet ? () => {} : log });
      }
      return 0;
    }
    case 'create': {
      const p = sub([
        { long: 'build', type: 'boolean' },
        { long: 'no-build', type: 'boolean' },
        { long: 'force-recreate', type: 'boolean' },
        { long: 'no-recreate', type: 'boolean' },
        { long: 'pull', type: 'string' },
        { long: 'scale', type: 'string', multiple: true },
      ]);
      const project = target(g, true, p.positionals).project!;
      await up(engine, project, { ...upFlags(p), scale: parseScale(list(p.values.scale), project), services: p.positionals, noStart: true, log });
      return 0;
    }
    case 'scale': {
      const p = sub([{ long: 'no-deps', type: 'boolean' }]);
      need(p, 1, 'scale', 'SERVICE=REPLICAS...');
      const project = target(g, true).project!;
      const scale = parseScale(p.positionals, project);
      await up(engine, project, { scale, services: [...scale.keys()], noDeps: bool(p.values['no-deps']), log });
      return 0;
    }
    case 'run':
      return (await import('./compose-run.js')).runVerb(engine, g, sub);
    case 'exec': {
      // No -d: the engine's exec stays with its process; no --privileged: no such flag in the engine.
      const p = sub([
        { long: 'no-TTY', short: 'T', type: 'boolean' },
        { long: 'interactive', short: 'i', type: 'boolean' },
        { long: 'tty', type: 'boolean' },
        { long: 'env', short: 'e', type: 'string', multiple: true },
        { long: 'workdir', short: 'w', type: 'string' },
        { long: 'user', short: 'u', type: 'string' },
        INDEX,
      ]);
      const [service, ...args] = need(p, 2, 'exec', '[-T] [-e K=V] [-w DIR] [-u USER] [--index N] SERVICE COMMAND [ARG...]');
      const t = target(g, false);
      const c = pickReplica(await serviceCtrs(engine, t.name, [], { running: true }), t.name, service!, indexOf(p));
      const w = str(p.values.workdir);
      const u = str(p.values.user);
      // As docker compose exec: stdin is attached, and a terminal given when there is one, unless -T.
      return engine.containers.exec(c.id, {
        args,
        env: list(p.values.env),
        interactive: true,
        tty: !bool(p.values['no-TTY']) && process.stdin.isTTY === true,
        ...(w !== undefined ? { workdir: w } : {}),
        ...(u !== undefined ? { user: u } : {}),
      });
    }
    case 'pull': {
      const p = sub([{ long: 'ignore-buildable', type: 'boolean' }, { long: 'quiet', short: 'q', type: 'boolean' }, { long: 'ignore-pull-failures',
        type: 'boolean' }]);
      const project = target(g, true, p.positionals).project!;
      // -q: only errors (which are thrown, or with --ignore-*-failures printed).
      const say = bool(p.values.quiet) ? () => {} : log;
      for (const s of project.services) {
        if (p.positionals.length > 0 && !p.positionals.includes(s.name)) continue;
        // A service built here has nothing to pull unless its image: names a registry's.
        if (s.build && (bool(p.values['ignore-buildable']) || s.image === `${project.name}-${s.name}`)) {
          say(` Service ${s.name}  Skipped - No image to be pulled`);
          continue;
        }
        say(` Image ${s.image}  Pulling`);
        try {
          await engine.images.pull(s.image, {});
        } catch (e) {
          if (!bool(p.values['ignore-pull-failures'])) throw e;
          log(` Image ${s.image}  Error ${(e as Error).message}`);
          continue;
        }
        say(` Image ${s.image}  Pulled`);
      }
      return 0;
    }
    case 'push': {
      const p = sub([{ long: 'ignore-push-failures', type: 'boolean' }, { long: 'quiet', short: 'q', type: 'boolean' }]);
      const project = target(g, true, p.positionals).project!;
      // -q: only errors (which are thrown, or with --ignore-*-failures printed).
      const say = bool(p.values.quiet) ? () => {} : log;
      for (const s of project.services) {
        if (p.positionals.length > 0 && !p.positionals.includes(s.name)) continue;
        // Compose pushes the images it builds; a pulled image is some registry's already.
        if (!s.build) continue;
        for (const ref of [s.image, ...s.build.tags]) {
          say(` Image ${ref}  Pushing`);
          try {
            await engine.images.push(ref, undefined, {});
          } catch (e) {
            if (!bool(p.values['ignore-push-failures'])) throw e;
            log(` Image ${ref}  Error ${(e as Error).message}`);
            continue;
          }
          say(` Image ${ref}  Pushed`);
        }
      }
      return 0;
    }
    case 'kill': {
      const p = sub([{ long: 'signal', short: 's', type: 'string' }]);
      const t = target(g, false);
      const sig = str(p.values.signal) ?? 'SIGKILL';
      const ctrs = await serviceCtrs(engine, t.name, p.positionals, { running: true });
      for (const c of ctrs) {
        await engine.containers.kill(c.id, sig);
        log(` Container ${c.name}  Killed`);
      }
      return 0;
    }
    case 'pause':
    case 'unpause': {
      const p = sub([]);
      const t = target(g, false);
      const ctrs = (await serviceCtrs(engine, t.name, p.positionals)).filter((c) => c.status === (verb === 'pause' ? 'running' : 'paused'));
      for (const c of ctrs) {
        await (verb === 'pause' ? engine.containers.pause(c.id) : engine.containers.unpause(c.id));
        log(` Container ${c.name}  ${verb === 'pause' ? 'Paused' : 'Unpaused'}`);
      }
      return 0;
    }
    case 'top': {
      const p = sub([]);
      const t = target(g, false);
      const ctrs = await serviceCtrs(engine, t.name, p.positionals, { running: true });
      const parts: string[] = [];
      for (const c of ctrs) {
        const top = await engine.containers.top(c.id, ['-ef']);
        parts.push(`${c.name}\n${table(top.titles, top.processes)}`);
      }
      out(parts.join('\n'));
      return 0;
    }
    case 'images': {
      const p = sub([{ long: 'quiet', short: 'q', type: 'boolean' }, { long: 'format', type: 'string' }]);
      const t = target(g, false);
      const rows = [];
      for (const c of await serviceCtrs(engine, t.name, p.positionals)) {
        const img = await engine.images.inspect(c.imageId);
        const ref = c.imageRef;
        const at = ref.lastIndexOf(':') > ref.lastIndexOf('/') ? ref.lastIndexOf(':') : -1;
        rows.push({
          ContainerName: c.name,
          Repository: at < 0 ? ref : ref.slice(0, at),
          Tag: at < 0 ? 'latest' : ref.slice(at + 1),
          ID: img.Id.replace(/^sha256:/, ''),
          Size: img.Size,
        });
      }
      if (bool(p.values.quiet)) {
        out([...new Set(rows.map((r) => `${r.ID}\n`))].join(''));
        return 0;
      }
      const format = str(p.values.format) ?? 'table';
      if (format === 'json') out(json(rows));
      else if (format === 'table') {
        out(
          table(['CONTAINER', 'REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE'],
            rows.map((r) => [r.ContainerName, r.Repository, r.Tag, r.ID.slice(0, 12), humanSize(r.Size)])),
        );
      } else throw invalid('cli.bad_format', `unknown --format "${format}": use table or json`);
      return 0;
    }
    case 'port': {
      const p = sub([INDEX, { long: 'protocol', type: 'string' }]);
      const [service, priv] = need(p, 2, 'port', '[--index N] [--protocol tcp|udp] SERVICE PRIVATE_PORT');
      const proto = str(p.values.protocol) ?? 'tcp';
      if (!/^\d+$/.test(priv!)) throw invalid('cli.bad_value', `invalid private port "${priv}"`);
      const t = target(g, false);
      const c = pickReplica(await serviceCtrs(engine, t.name, [], { running: true }), t.name, service!, indexOf(p));
      const b = (await engine.containers.ports(c.id)).find((x) => x.containerPort === Number(priv) && x.proto === proto);
      if (!b) throw notFound('compose.no_port', `no port ${priv}/${proto} for container ${c.name}`);
      out(`${b.hostIp || '0.0.0.0'}:${b.hostPort}\n`);
      return 0;
    }
    case 'ls':
      return lsVerb(engine,
        sub([{ long: 'all', short: 'a', type: 'boolean' }, { long: 'quiet', short: 'q', type: 'boolean' }, { long: 'format', type: 'string' }]));
    case 'cp': {
      const p = sub([INDEX, { long: 'archive', short: 'a', type: 'boolean' }, { long: 'follow-link', short: 'L', type: 'boolean' }]);
      const [src, dest] = need(p, 2, 'cp', '[--index N] SERVICE:SRC DEST | SRC SERVICE:DEST');
      const t = target(g, false);
      const ref = (arg: string) => /^[A-Za-z0-9][A-Za-z0-9_.-]*:/.exec(arg)?.[0].slice(0, -1);
      const from = ref(src!);
      const to = ref(dest!);
      if ((from === undefined) === (to === undefined))
        throw invalid('cli.bad_value', 'copying between services or between host paths is not supported: one of SRC and DEST must be SERVICE:PATH');
      const opts = { archive: bool(p.values.archive), followLink: bool(p.values['follow-link']) };
      const ctrs = await serviceCtrs(engine, t.name, []);
      const c = pickReplica(ctrs, t.name, (from ?? to)!, indexOf(p));
      if (from !== undefined) await engine.containers.copyFrom(c.id, src!.slice(from.length + 1), { path: dest! }, opts);
      else await engine.containers.copyTo(c.id, { path: src! }, dest!.slice(to!.length + 1), opts);
      return 0;
    }
    case 'wait': {
      const p = sub([{ long: 'down-project', type: 'boolean' }]);
      need(p, 1, 'wait', 'SERVICE...');
      const t = target(g, false);
      const ctrs = await serviceCtrs(engine, t.name, p.positionals);
      const codes = await Promise.all(ctrs.map(async (c) => (await engine.containers.wait(c.id)).exitCode ?? 0));
      out(codes.map((n) => `${n}\n`).join(''));
      if (bool(p.values['down-project'])) {
        const { down } = await import('../../compose/project.js');
        await down(engine, t.name, { volumes: false, log, ...(t.project ? { project: t.project } : {}) });
      }
      return codes[0] ?? 0;
    }
    case 'rm': {
      const p = sub([{ long: 'force', short: 'f', type: 'boolean' }, { long: 'stop', short: 's', type: 'boolean' }, { long: 'volumes', short: 'v',
        type: 'boolean' }]);
      const t = target(g, false);
      let ctrs = await serviceCtrs(engine, t.name, p.positionals);
      if (bool(p.values.stop)) {
        const order = t.project ? startOrder(t.project.services).map((s) => s.name).reverse() : [];
        const rank = (c: Container) => order.indexOf(c.labels[LABEL_SERVICE] ?? '');
        for (const c of [...ctrs].sort((x, y) => rank(x) - rank(y))) {
          if (c.status !== 'running' && c.status !== 'paused') continue;
          await engine.containers.stop(c.id);
          log(` Container ${c.name}  Stopped`);
        }
        ctrs = await serviceCtrs(engine, t.name, p.positionals);
      }
      const gone = ctrs.filter((c) => c.status === 'exited' || c.status === 'created');
      if (gone.length === 0) {
        log('No stopped containers');
        return 0;
      }
      if (!bool(p.values.force)) {
        // Compose asks; without a terminal to ask on, nothing is removed.
        log(`Going to remove ${gone.map((c) => c.name).join(', ')}`);
        const yes = canPrompt() && /^y(es)?$/i.test((await promptLine('Are you sure? [yN] ')).trim());
        if (!yes) return 0;
      }
      for (const c of gone) {
        await engine.containers.remove(c.id, { volumes: bool(p.values.volumes) });
        log(` Container ${c.name}  Removed`);
      }
      return 0;
    }
    case 'version': {
      const p = sub([{ long: 'short', type: 'boolean' }, { long: 'format', short: 'f', type: 'string' }]);
      if (bool(p.values.short)) out(`${VERSION}\n`);
      else if (str(p.values.format) === 'json') out(json({ version: VERSION }));
      else out(`berth compose version ${VERSION}\n`);
      return 0;
    }
    case 'events':
      return (await import('./compose-events.js')).composeEventsCmd(engine, g, sub);
    default:
      return undefined;
  }
}

function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)}${units[i]}`;
}

async function lsVerb(engine: Engine, p: ParsedArgs): Promise<number> {
  const byProject = new Map<string, Container[]>();
  for (const c of await engine.containers.list({ reconcile: true })) {
    const name = c.labels[LABEL_PROJECT];
    if (name === undefined) continue;
    byProject.set(name, [...(byProject.get(name) ?? []), c]);
  }
  const rows = [...byProject.entries()].sort(([x], [y]) => x.localeCompare(y)).map(([name, ctrs]) => {
    const counts = new Map<string, number>();
    for (const c of ctrs) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
    const files = new Set(ctrs.map((c) => c.labels['com.docker.compose.project.config_files'] ?? '').filter((f) => f !== ''));
    return {
      Name: name,
      Status: [...counts.entries()].map(([s, n]) => `${s}(${n})`).join(', '),
      ConfigFiles: [...files].join(','),
      running: counts.has('running'),
    };
  }).filter((r) => bool(p.values.all) || r.running);
  if (bool(p.values.quiet)) {
    out(rows.map((r) => `${r.Name}\n`).join(''));
    return 0;
  }
  const format = str(p.values.format) ?? 'table';
  if (format === 'json') out(json(rows.map(({ running: _r, ...r }) => r)));
  else if (format === 'table') out(table(['NAME', 'STATUS', 'CONFIG FILES'], rows.map((r) => [r.Name, r.Status, r.ConfigFiles])));
  else throw invalid('cli.bad_format', `unknown --format "${format}": use table or json`);
  return 0;
}
