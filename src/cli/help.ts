// `berth VERB --help`: the usage line and summary of each verb (data only), and the flags the
// verb itself parses (its OptionDef table, handed over by parseArgs), so help cannot drift
// from what the verb accepts. Loaded only when help is asked for.
import type { OptionDef } from './args.js';

/** Verb → [arguments after the verb, one-line summary]. Aliases point at the same entry. */
const VERBS: Record<string, readonly [string, string]> = {
  run: ['[OPTIONS] IMAGE [COMMAND] [ARG...]', 'Create and run a new container from an image'],
  create: ['[OPTIONS] IMAGE [COMMAND] [ARG...]', 'Create a new container'],
  start: ['[OPTIONS] CONTAINER [CONTAINER...]', 'Start one or more stopped containers'],
  stop: ['[OPTIONS] CONTAINER [CONTAINER...]', 'Stop one or more running containers'],
  attach: ['[OPTIONS] CONTAINER', 'Attach local standard input, output, and error streams to a running container'],
  restart: ['[OPTIONS] CONTAINER [CONTAINER...]', 'Restart one or more containers'],
  kill: ['[OPTIONS] CONTAINER [CONTAINER...]', 'Kill one or more running containers'],
  rm: ['[OPTIONS] CONTAINER [CONTAINER...]', 'Remove one or more containers'],
  ps: ['[OPTIONS]', 'List containers'],
  logs: ['[OPTIONS] CONTAINER', 'Fetch the logs of a container'],
  exec: ['[OPTIONS] CONTAINER COMMAND [ARG...]', 'Execute a command in a running container'],
  inspect: ['[OPTIONS] NAME|ID [NAME|ID...]', 'Return low-level information on containers or images'],
  wait: ['CONTAINER [CONTAINER...]', 'Block until one or more containers stop, then print their exit codes'],
  cp: ['[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n       berth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
    'Copy files/folders between a container and the local filesystem'],
  diff: ['CONTAINER', "Inspect changes to files or directories on a container's filesystem"],
  pause: ['CONTAINER [CONTAINER...]', 'Pause all processes within one or more containers'],
  unpause: ['CONTAINER [CONTAINER...]', 'Unpause all processes within one or more containers'],
  port: ['CONTAINER [PRIVATE_PORT[/PROTO]]', 'List port mappings or a specific mapping for the container'],
  rename: ['CONTAINER NEW_NAME', 'Rename a container'],
  top: ['CONTAINER [ps OPTIONS]', 'Display the running processes of a container'],
  stats: ['[OPTIONS] [CONTAINER...]', 'Display a live stream of container(s) resource usage statistics'],
  update: ['[OPTIONS] CONTAINER [CONTAINER...]', 'Update configuration of one or more containers'],
  'container prune': ['[OPTIONS]', 'Remove all stopped containers'],
  'container cleanup': ['ID [RUN]', "conmon's exit callback (not for users)"],
  'container health-runner': ['ID RUN', "a container's health runner, started beside conmon (not for users)"],
  'healthcheck run': ['CONTAINER', "Run a container's healthcheck once, now"],
  'volume create': ['[OPTIONS] [VOLUME]', 'Create a volume'],
  'volume ls': ['[OPTIONS]', 'List volumes'],
  'volume inspect': ['[OPTIONS] VOLUME [VOLUME...]', 'Display detailed information on one or more volumes'],
  'volume rm': ['[OPTIONS] VOLUME [VOLUME...]', 'Remove one or more volumes'],
  'volume prune': ['[OPTIONS]', 'Remove unused local volumes'],
  'system df': ['[OPTIONS]', 'Show disk usage'],
  'system prune': ['[OPTIONS]', 'Remove unused data'],
  'system info': ['[OPTIONS]', 'Display system-wide information'],
  events: ['[OPTIONS]', 'Get real time events from the journal of this root'],
  completion: ['bash|zsh|fish', "Print a shell completion script (source it, or write it to the shell's completion directory)"],
  info: ['[OPTIONS]', 'Display system-wide information'],
  serve: ['[OPTIONS]', 'Serve the Docker Engine API (and, with --ui, the web dashboard) until stopped'],
  images: ['[OPTIONS]', 'List images'],
  rmi: ['[OPTIONS] IMAGE [IMAGE...]', 'Remove one or more images'],
  import: ['[OPTIONS] FILE [REPOSITORY[:TAG]]', 'Import an OCI archive, docker-archive or rootfs tarball as an image'],
  history: ['IMAGE', 'Show the history of an image'],
  'image inspect': ['[OPTIONS] IMAGE [IMAGE...]', 'Display detailed information on one or more images'],
  'image prune': ['[OPTIONS]', 'Remove unused images'],
  save: ['[OPTIONS] IMAGE [IMAGE...]', 'Save one or more images to a tar archive'],
  load: ['[OPTIONS]', 'Load an image from a tar archive or STDIN'],
  tag: ['SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]', 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'],
  build: ['[OPTIONS] PATH', 'Build an image from a Containerfile'],
  commit: ['[OPTIONS] CONTAINER [REPOSITORY[:TAG]]', "Create a new image from a container's changes"],
  export: ['[OPTIONS] CONTAINER', "Export a container's filesystem as a tar archive"],
  pull: ['[OPTIONS] NAME[:TAG|@DIGEST]', 'Download an image from a registry'],
  push: ['[OPTIONS] NAME[:TAG] [DESTINATION]', 'Upload an image to a registry'],
  login: ['[OPTIONS] [SERVER]', 'Log in to a registry'],
  logout: ['[SERVER]', 'Log out from a registry'],
  'network create': ['[OPTIONS] NETWORK', 'Create a network'],
  'network ls': ['[OPTIONS]', 'List networks'],
  'network inspect': ['[OPTIONS] NETWORK [NETWORK...]', 'Display detailed information on one or more networks'],
  'network rm': ['[OPTIONS] NETWORK [NETWORK...]', 'Remove one or more networks'],
  'network prune': ['[OPTIONS]', 'Remove all unused networks'],
  'network connect': ['[OPTIONS] NETWORK CONTAINER', 'Connect a container to a network'],
  'network disconnect': ['[OPTIONS] NETWORK CONTAINER', 'Disconnect a container from a network'],
};

const ALIASES: Record<string, string> = {
  'container run': 'run',
  'container create': 'create',
  'container start': 'start',
  'container attach': 'attach',
  'container stop': 'stop',
  'container restart': 'restart',
  'container kill': 'kill',
  'container rm': 'rm',
  'container ls': 'ps',
  'container ps': 'ps',
  'container list': 'ps',
  'container logs': 'logs',
  'container exec': 'exec',
  'container inspect': 'inspect',
  'container wait': 'wait',
  'container cp': 'cp',
  'container diff': 'diff',
  'container pause': 'pause',
  'container unpause': 'unpause',
  'container port': 'port',
  'container rename': 'rename',
  'container top': 'top',
  'container stats': 'stats',
  'container update': 'update',
  'container commit': 'commit',
  'container export': 'export',
  'image ls': 'images',
  'image list': 'images',
  'image rm': 'rmi',
  'image import': 'import',
  'image history': 'history',
  'image save': 'save',
  'image load': 'load',
  'image tag': 'tag',
  'image build': 'build',
  'image pull': 'pull',
  'image push': 'push',
  'network list': 'network ls',
  'volume list': 'volume ls',
  'volume remove': 'volume rm',
  'system events': 'events',
};

/** Descriptions of flags shared by many verbs, for tables that declare none of their own. */
const FLAG_TEXT: Record<string, string> = {
  all: 'show all (default shows just running)',
  quiet: 'only display ids or names',
  format: 'format output: table, json (one object a line), or a Go template (docs/format.md)',
  'no-trunc': 'do not truncate output',
  filter: 'filter output based on conditions provided (KEY=VALUE)',
  force: 'force the operation',
  time: 'seconds to wait before killing the container',
  signal: 'signal to send to the container',
  volumes: 'remove anonymous volumes too',
  follow: 'follow log output',
  tail: 'number of lines to show from the end of the logs (or all)',
  timestamps: 'show timestamps',
  since: 'show logs since a timestamp (RFC 3339) or relative time (e.g. 42m)',
  until: 'show logs before a timestamp (RFC 3339) or relative time',
  attach: "attach to the container's output",
  detach: 'run in the background',
  env: 'set an environment variable',
  workdir: 'working directory inside the container',
  user: 'USER[:GROUP] to run as',
  interactive: 'keep stdin open',
  tty: 'allocate a terminal',
  type: 'only this type of object',
  help: 'print usage',
  author: 'author of the image',
  message: 'commit message',
  change: 'apply a Containerfile instruction to the image',
  pause: 'pause the container while committing',
  label: 'set a label K=V',
  output: 'write to a file instead of STDOUT',
  input: 'read from a file instead of STDIN',
  tag: 'name and optionally a tag (NAME:TAG)',
  file: 'name of the Containerfile',
  driver: 'driver to manage the network or volume',
  subnet: 'subnet in CIDR format',
  gateway: 'gateway of the subnet',
  'ip-range': 'allocate addresses from a sub-range',
  internal: 'restrict external access to the network',
  ip: 'static IPv4 address',
  alias: 'network-scoped alias',
  'tls-verify': 'require HTTPS and verify certificates',
  username: 'user name',
  password: 'password',
  'password-stdin': 'take the password from STDIN',
  'authfile': 'path of the authentication file',
  'no-stream': 'print the first result and stop',
  details: 'show extra details provided to logs (berth has none to add)',
  'no-cache': 'do not use the build cache',
  'follow-link': 'always follow a symbolic link in SRC_PATH',
  archive: 'archive mode (copy UID/GID information)',
};

/** Every verb help describes, in the order docs/cli.md lists them (conmon's callback left out). */
export function documentedVerbs(): string[] {
  return Object.keys(VERBS).filter((v) => v !== 'container cleanup' && v !== 'container health-runner');
}

export function helpText(path: string, defs: readonly OptionDef[]): string {
  const entry = VERBS[path] ?? VERBS[ALIASES[path] ?? ''];
  const [args, summary] = entry ?? ['[OPTIONS]', ''];
  const lines = [`Usage:  berth ${path} ${args}`, ''];
  if (summary) lines.push(summary, '');
  const shown = defs.filter((d) => d.long !== 'help');
  const aliasesOf = (d: OptionDef) => (d.aliases ?? []).map((a) => `, --${a}`).join('');
  const names = shown.map((d) =>
    `${d.short ? `-${d.short}, ` : '    '}--${d.long}${aliasesOf(d)}${d.type === 'string' ? (d.multiple ? ' list' : ' string') : ''}`
  );
  if (shown.length > 0) {
    lines.push('Options:');
    const w = Math.max(...names.map((n) => n.length));
    shown.forEach((d, i) => lines.push(`  ${names[i]!.padEnd(w)}   ${d.description ?? FLAG_TEXT[d.long] ?? ''}`.trimEnd()));
  }
  lines.push('      --help'.padEnd(Math.max(...names.map((n) => n.length), 10) + 2) + '   print usage');
  return `${lines.join('\n')}\n`;
}
