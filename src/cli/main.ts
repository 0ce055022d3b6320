// berth's entry point: global flags → command → render → exit code. Commands are loaded lazily
// so that each invocation pays only for the modules its verb needs.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isBerthError } from '../common/errors.js';
import { isHelpRequested } from './args.js';
import { asSystemError, setCommandRoot } from '../common/system-errors.js';
import { mark } from '../common/timing.js';
import { faultVerb } from '../common/fault.js';
import type { EngineConfig } from '../engine/index.js';

import { VERSION } from './version.js';
// A write(2), not process.stdout: building that stream loads some 20 built-in modules.
import { out } from './render.js';

export { VERSION };

export interface CommandContext {
  config: EngineConfig;
  argv: string[];
  /** The command words used, for help and error messages ("container ls"). */
  path: string;
  /** The command table itself, for `completion`, which is generated from it. */
  commands: Readonly<Record<string, () => Promise<Handler>>>;
}

export type Handler = (c: CommandContext) => Promise<number> | number;

// Docker's top-level shortcuts map onto the noun-verb commands.
const COMMANDS: Record<string, () => Promise<Handler>> = {
  run: async () => (await import('./commands/container.js')).runCmd,
  create: async () => (await import('./commands/container.js')).createCmd,
  start: async () => (await import('./commands/container.js')).startCmd,
  attach: async () => (await import('./commands/attach.js')).attachCmd,
  'container attach': async () => (await import('./commands/attach.js')).attachCmd,
  stop: async () => (await import('./commands/container.js')).stopCmd,
  restart: async () => (await import('./commands/container.js')).restartCmd,
  kill: async () => (await import('./commands/container.js')).killCmd,
  rm: async () => (await import('./commands/container.js')).rmCmd,
  ps: async () => (await import('./commands/container.js')).psCmd,
  logs: async () => (await import('./commands/container.js')).logsCmd,
  exec: async () => (await import('./commands/container.js')).execCmd,
  inspect: async () => (await import('./commands/container.js')).inspectCmd,
  wait: async () => (await import('./commands/container.js')).waitCmd,
  'container run': async () => (await import('./commands/container.js')).runCmd,
  'container create': async () => (await import('./commands/container.js')).createCmd,
  'container start': async () => (await import('./commands/container.js')).startCmd,
  'container stop': async () => (await import('./commands/container.js')).stopCmd,
  'container restart': async () => (await import('./commands/container.js')).restartCmd,
  'container kill': async () => (await import('./commands/container.js')).killCmd,
  'container rm': async () => (await import('./commands/container.js')).rmCmd,
  'container ls': async () => (await import('./commands/container.js')).psCmd,
  'container ps': async () => (await import('./commands/container.js')).psCmd,
  'container list': async () => (await import('./commands/container.js')).psCmd,
  'container logs': async () => (await import('./commands/container.js')).logsCmd,
  'container exec': async () => (await import('./commands/container.js')).execCmd,
  'container inspect': async () => (await import('./commands/container.js')).inspectCmd,
  'container wait': async () => (await import('./commands/container.js')).waitCmd,
  'container cleanup': async () => (await import('./commands/container.js')).cleanupCmd,
  'container health-runner': async () => (await import('./commands/healthcheck.js')).healthRunnerCmd,
  'healthcheck run': async () => (await import('./commands/healthcheck.js')).healthcheckRunCmd,
  images: async () => (await import('./commands/image.js')).lsCmd,
  rmi: async () => (await import('./commands/image.js')).rmCmd,
  import: async () => (await import('./commands/image.js')).importCmd,
  'image import': async () => (await import('./commands/image.js')).importCmd,
  'image ls': async () => (await import('./commands/image.js')).lsCmd,
  'image list': async () => (await import('./commands/image.js')).lsCmd,
  'image inspect': async () => (await import('./commands/image.js')).inspectCmd,
  'image history': async () => (await import('./commands/image.js')).historyCmd,
  history: async () => (await import('./commands/image.js')).historyCmd,
  'image rm': async () => (await import('./commands/image.js')).rmCmd,
  'network create': async () => (await import('./commands/network.js')).createCmd,
  'network ls': async () => (await import('./commands/network.js')).lsCmd,
  'network list': async () => (await import('./commands/network.js')).lsCmd,
  'network inspect': async () => (await import('./commands/network.js')).inspectCmd,
  'network rm': async () => (await import('./commands/network.js')).rmCmd,
  'network prune': async () => (await import('./commands/network.js')).pruneCmd,
  'network connect': async () => (await import('./commands/network.js')).connectCmd,
  'network disconnect': async () => (await import('./commands/network.js')).disconnectCmd,
  compose: async () => (await import('./commands/compose.js')).composeCmd,
  'kube generate': async () => (await import('./commands/kube.js')).kubeCmd,
  'kube play': async () => (await import('./commands/kube.js')).kubeCmd,
  'kube down': async () => (await import('./commands/kube.js')).kubeCmd,
  save: async () => (await import('./commands/archive.js')).saveCmd,
  load: async () => (await import('./commands/archive.js')).loadCmd,
  tag: async () => (await import('./commands/archive.js')).tagCmd,
  'image save': async () => (await import('./commands/archive.js')).saveCmd,
  'image load': async () => (await import('./commands/archive.js')).loadCmd,
  'image tag': async () => (await import('./commands/archive.js')).tagCmd,
  'image prune': async () => (await import('./commands/archive.js')).pruneCmd,
  'system df': async () => {
    const m = await import('./commands/archive.js');
    return (c) => m.systemCmd({ ...c, argv: ['df', ...c.argv] });
  },
  'system prune': async () => (await import('./commands/prune.js')).systemPruneCmd,
  'system info': async () => (await import('./commands/info.js')).infoCmd,
  info: async () => (await import('./commands/info.js')).infoCmd,
  cp: async () => (await import('./commands/cp.js')).cpCmd,
  diff: async () => (await import('./commands/diff.js')).diffCmd,
  pause: async () => (await import('./commands/pause.js')).pauseCmd,
  unpause: async () => (await import('./commands/pause.js')).unpauseCmd,
  port: async () => (await import('./commands/port.js')).portCmd,
  rename: async () => (await import('./commands/rename.js')).renameCmd,
  top: async () => (await import('./commands/top.js')).topCmd,
  stats: async () => (await import('./commands/stats.js')).statsCmd,
  update: async () => (await import('./commands/update.js')).updateCmd,
  'container cp': async () => (await import('./commands/cp.js')).cpCmd,
  'container diff': async () => (await import('./commands/diff.js')).diffCmd,
  'container pause': async () => (await import('./commands/pause.js')).pauseCmd,
  'container unpause': async () => (await import('./commands/pause.js')).unpauseCmd,
  'container port': async () => (await import('./commands/port.js')).portCmd,
  'container rename': async () => (await import('./commands/rename.js')).renameCmd,
  'container top': async () => (await import('./commands/top.js')).topCmd,
  'container stats': async () => (await import('./commands/stats.js')).statsCmd,
  'container update': async () => (await import('./commands/update.js')).updateCmd,
  'container prune': async () => (await import('./commands/prune.js')).containerPruneCmd,
  'volume create': async () => (await import('./commands/volume.js')).createCmd,
  'volume ls': async () => (await import('./commands/volume.js')).lsCmd,
  'volume list': async () => (await import('./commands/volume.js')).lsCmd,
  'volume inspect': async () => (await import('./commands/volume.js')).inspectCmd,
  'volume rm': async () => (await import('./commands/volume.js')).rmCmd,
  'volume remove': async () => (await import('./commands/volume.js')).rmCmd,
  'volume prune': async () => (await import('./commands/volume.js')).pruneCmd,
  'system boot': async () => (await import('./commands/system.js')).bootCmd,
  'system check': async () => (await import('./commands/system.js')).checkCmd,
  'system recover': async () => (await import('./commands/system.js')).recoverCmd,
  build: async () => (await import('./commands/build.js')).buildCmd,
  'image build': async () => (await import('./commands/build.js')).buildCmd,
  commit: async () => (await import('./commands/archive.js')).commitCmd,
  export: async () => (await import('./commands/archive.js')).exportCmd,
  'container commit': async () => (await import('./commands/archive.js')).commitCmd,
  'container export': async () => (await import('./commands/archive.js')).exportCmd,
  pull: async () => (await import('./commands/registry.js')).pullCmd,
  push: async () => (await import('./commands/registry.js')).pushCmd,
  login: async () => (await import('./commands/registry.js')).loginCmd,
  logout: async () => (await import('./commands/registry.js')).logoutCmd,
  'image pull': async () => (await import('./commands/registry.js')).pullCmd,
  'image push': async () => (await import('./commands/registry.js')).pushCmd,
  serve: async () => (await import('./commands/serve.js')).serveCmd,
  events: async () => (await import('./commands/events.js')).eventsCmd,
  completion: async () => (await import('./commands/completion.js')).completionCmd,
  __complete: async () => (await import('./commands/completion.js')).namesCmd,
  'system events': async () => (await import('./commands/events.js')).eventsCmd,
  version: async () => () => {
    out(`berth version ${VERSION}\n`);
    return 0;
  },
};

// What an ordinary user runs without entering the rootless namespaces: it touches no state.
const NO_NAMESPACES = new Set(['version', 'completion', '__complete']);

const NOUNS = new Set(['container', 'image', 'network', 'kube', 'volume', 'system', 'healthcheck']);

const USAGE = `Usage: berth [--root DIR] [--runroot DIR] [--debug] COMMAND

A daemonless container manager: OCI images, runc/crun under conmon, Linux bridges.

Containers:
  run, create, start, stop, restart, kill, rm, ps, logs, exec, inspect, wait,
  cp, diff, pause, unpause, port, rename, top, stats, update, container prune,
  healthcheck run CONTAINER
Images:
  image import|ls|inspect|history|rm|tag|prune|save|load|pull|push
                                (also: images, rmi, import, tag, save, load, history)
  pull, push, login, logout     OCI registries
  build [-f FILE] [-t NAME] CONTEXT
  commit CTR [NAME], export CTR
System:
  system df|prune|info|events|boot|check [--repair]|recover, info
  events [--filter K=V] [--since T] [--until T] [--format TPL]
  start --all [--filter restart-policy=P|label=K[=V]]
Volumes:
  volume create|ls|inspect|rm|prune
  serve [--socket PATH]         the Docker Engine API for docker, docker-compose and the SDKs
  completion bash|zsh|fish      a shell completion script
Networks:
  network create|ls|inspect|rm|prune|connect|disconnect
Stacks:
  compose [-f FILE] [-p NAME] up|down|build|run|exec|ps|logs|...   (berth compose --help)
Kubernetes:
  kube generate [--compose FILE] [-s] [--type pod|deployment] [-f OUT] [CTR...|SERVICE...]
  kube play [--replace] FILE, kube down [--force] FILE

Global options:
  --root DIR      persistent state (default /var/lib/berth, or $BERTH_ROOT;
                  rootless: ~/.local/share/berth)
  --runroot DIR   per-boot state (default /run/berth, or $BERTH_RUNROOT;
                  rootless: $XDG_RUNTIME_DIR/berth, or /tmp/berth-UID)
  --debug         print stack traces
  --version       print the version

Run 'berth COMMAND --help' (or 'berth help COMMAND') for a command's flags.

Exit codes: 125 berth's own error, 126 command cannot be invoked, 127 command not found,
otherwise the container's own exit code.
`;

export async function main(argv: string[]): Promise<number> {
  // An ordinary user's berth is rootless: its state is the user's own (XDG, as Podman's).
  const uid = process.getuid?.() ?? 0;
  const own = uid === 0 ? { root: '/var/lib/berth', runroot: '/run/berth' } : (await import('../engine/index.js')).rootlessPaths(uid, process.env);
  let root = process.env.BERTH_ROOT || own.root;
  let runroot = process.env.BERTH_RUNROOT || own.runroot;
  let debug = process.env.BERTH_DEBUG === '1';
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--root' || a === '--runroot') {
      const v = argv[++i];
      if (!v) return fail(`flag needs an argument: ${a}`);
      if (a === '--root') root = v;
      else runroot = v;
    } else if (a.startsWith('--root=')) root = a.slice(7);
    else if (a.startsWith('--runroot=')) runroot = a.slice(10);
    else if (a === '--debug') debug = true;
    else if (a === '--version' || a === '-v') {
      out(`berth version ${VERSION}\n`);
      return 0;
    } else if (a === '--help' || a === '-h') {
      out(USAGE);
      return 0;
    } else break;
  }
  let rest = argv.slice(i);
  // `berth help run` is `berth run --help`.
  if (rest[0] === 'help') {
    if (rest.length === 1) {
      out(USAGE);
      return 0;
    }
    rest = [...rest.slice(1), '--help'];
  }
  if (rest.length === 0) {
    process.stderr.write(USAGE);
    return 125;
  }
  let key = rest[0]!;
  let consumed = 1;
  if (NOUNS.has(key)) {
    if (rest.length < 2 || rest[1] === '--help') {
      out(USAGE);
      return rest.length < 2 ? 125 : 0;
    }
    key = `${key} ${rest[1]}`;
    consumed = 2;
  }
  const loader = COMMANDS[key];
  if (!loader) return fail(`unknown command "${key}"`, "see 'berth --help'");
  if (uid !== 0 && !NO_NAMESPACES.has(key)) {
    try {
      return await (await import('../engine/index.js')).runRootless({ uid, paths: { root, runroot }, node: process.execPath, script: scriptPath(), argv });
    } catch (e) {
      if (!isBerthError(e)) throw e;
      return fail(e.message, e.hint);
    }
  }
  faultVerb(key.replace(/^(container|image) /, ''));
  setCommandRoot(root);
  const self = selfCommand(root, runroot);
  const config: EngineConfig = { paths: { root, runroot }, self, debug };
  try {
    const handler = await loader();
    mark('modules loaded');
    return await handler({ config, argv: rest.slice(consumed), path: key, commands: COMMANDS });
  } catch (e0) {
    if (isHelpRequested(e0)) {
      out((await import('./help.js')).helpText(key, e0.defs));
      return 0;
    }
    const e = asSystemError(e0, root) ?? e0;
    if (isBerthError(e)) {
      process.stderr.write(`berth: ${e.message}\n`);
      if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
      if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
      return e.exitCode;
    }
    // A bug, not a user error: say so, and show where with --debug.
    process.stderr.write(`berth: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return 125;
  }
}

function fail(msg: string, hint?: string): number {
  process.stderr.write(`berth: ${msg}\n`);
  if (hint) process.stderr.write(`hint: ${hint}\n`);
  return 125;
}

/** How conmon calls this same berth back (node + this script) with the same roots. */
function selfCommand(root: string, runroot: string): { path: string; args: string[] } {
  return { path: process.execPath, args: [scriptPath(), '--root', root, '--runroot', runroot] };
}

function scriptPath(): string {
  return process.argv[1] ? realpathSync(process.argv[1]) : fileURLToPath(import.meta.url);
}
