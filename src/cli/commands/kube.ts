// berth kube generate|play|down: Kubernetes YAML from compose files and containers, and played
// on this machine. The work is in src/kube; this file reads flags and prints.
import type { CommandContext } from '../main.js';
import { parseArgs, bool, str, list, type OptionDef } from '../args.js';
import { out } from '../render.js';
import { invalid } from '../../common/errors.js';
import { createEngine } from '../../engine/index.js';
import { fromCompose, fromContainers } from '../../kube/export.js';
import { kubeDown, play } from '../../kube/play.js';

const HELP: OptionDef = { long: 'help', type: 'boolean' };

const USAGE = `Usage:
  berth kube generate [OPTIONS] CTR...
  berth kube generate --compose FILE [OPTIONS] [SERVICE...]
  berth kube play [--replace] FILE
  berth kube down [--force] FILE

generate writes Kubernetes YAML (Deployments or Pods, ConfigMaps, PersistentVolumeClaims and,
with --service, Services), checked against the Kubernetes schemas. What has no Kubernetes
equivalent is listed on stderr as a warning.
  --compose FILE             from a compose file (its services, or the SERVICEs named)
  -p, --project-name NAME    the compose project name
  --scale SERVICE=N          replicas, instead of deploy.replicas
  --type pod|deployment      what to write (default: deployment for --compose, pod for containers)
  -s, --service              also write Services
  -f, --filename OUT         write to OUT instead of stdout

play runs Pods, Deployments, Jobs, Services, ConfigMaps, Secrets and PersistentVolumeClaims as
a project named after the file; down removes what play made (--force: the claims' volumes too).
See docs/kubernetes.md for what maps and what is refused.
  --replace                  replace what an earlier play of the file made
`;

const log = (line: string) => process.stderr.write(`${line}\n`);

export async function kubeCmd(c: CommandContext): Promise<number> {
  const verb = c.path.split(' ')[1];
  if (verb === 'generate') return generateCmd(c);
  const p = parseArgs(c.argv, [{ long: 'replace', type: 'boolean' }, { long: 'force', type: 'boolean' }, HELP], { command: c.path, ownHelp: true });
  if (bool(p.values.help)) {
    out(USAGE);
    return 0;
  }
  if (verb === 'play' && p.values.force !== undefined) throw invalid('cli.unknown_flag', 'unknown flag: --force', "see 'berth kube play --help'");
  if (verb === 'down' && p.values.replace !== undefined) throw invalid('cli.unknown_flag', 'unknown flag: --replace', "see 'berth kube down --help'");
  if (p.positionals.length !== 1) throw invalid('cli.bad_args', `kube ${verb} takes one FILE`, `berth kube ${verb} FILE`);
  const engine = createEngine(c.config);
  if (verb === 'play') await play(engine, p.positionals[0]!, { replace: bool(p.values.replace), log });
  else await kubeDown(engine, p.positionals[0]!, { force: bool(p.values.force), log });
  return 0;
}

async function generateCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [
    { long: 'compose', type: 'string' },
    { long: 'project-name', short: 'p', type: 'string' },
    { long: 'scale', type: 'string', multiple: true },
    { long: 'type', type: 'string' },
    { long: 'service', short: 's', type: 'boolean' },
    { long: 'filename', short: 'f', type: 'string' },
    HELP,
  ], { command: c.path, ownHelp: true });
  if (bool(p.values.help)) {
    out(USAGE);
    return 0;
  }
  const type = kubeType(str(p.values.type));
  if (type === null) throw invalid('cli.bad_value', `invalid --type "${str(p.values.type)}": expected pod or deployment`);
  const file = str(p.values.compose);
  const scale = list(p.values.scale);
  const pname = str(p.values['project-name']);
  if (file === undefined) {
    if (scale.length > 0 || pname !== undefined) throw invalid('cli.bad_args', `--${scale.length > 0 ? 'scale' : 'project-name'} needs --compose FILE`);
    if (p.positionals.length === 0)
      throw invalid('cli.bad_args', 'kube generate needs containers, or --compose FILE',
        'berth kube generate CTR..., or berth kube generate --compose compose.yaml');
  }
  const opts = { services: bool(p.values.service), ...(type !== undefined ? { type } : {}) };
  const r = file !== undefined
    ? await fromCompose({ ...opts, file, only: p.positionals, scale, cwd: process.cwd(), env: process.env,
      ...(pname !== undefined ? { projectName: pname } : {}) })
    : await fromContainers(createEngine(c.config), p.positionals, opts);
  for (const w of r.warnings) log(`warning: ${w}`);
  const outFile = str(p.values.filename);
  if (outFile === undefined) {
    out(r.yaml);
    return 0;
  }
  try {
    await createEngine(c.config).files.write(outFile, r.yaml);
  } catch (e) {
    throw invalid('kube.cannot_write', `cannot write ${outFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return 0;
}

function kubeType(v: string | undefined): 'pod' | 'deployment' | undefined | null {
  return v === undefined || v === 'pod' || v === 'deployment' ? v : null;
}
