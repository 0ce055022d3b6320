// info [--format]: Docker's layout of what this root holds and what it runs on.
import type { CommandContext } from '../main.js';
import { VERSION } from '../version.js';
import { parseArgs, str } from '../args.js';
import { json, out } from '../render.js';
import { humanSize } from '../../common/units.js';
import { createEngine } from '../../engine/index.js';
import { show } from '../../common/show.js';

export async function infoCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'format', short: 'f', type: 'string', description: 'json, or a Go template such as {{.Containers}}' }], {
    command: c.path,
  });
  const doc = { ...(await createEngine(c.config).system.info()), ServerVersion: VERSION };
  const format = str(p.values.format);
  if (format === 'json') {
    out(json(doc));
    return 0;
  }
  if (format !== undefined) {
    const { formatTemplate } = await import('../template.js');
    out(`${formatTemplate(format, doc)}\n`);
    return 0;
  }
  const raw = doc as Record<string, unknown>;
  const runtimes = Object.keys(raw.Runtimes ?? {}).join(' ');
  // The document's values as info prints them.
  const d = new Proxy(raw, { get: (o, k: string) => show(o[k]) }) as unknown as Record<string, string>;
  out([
    'Client:',
    ` Version:    ${VERSION}`,
    ' Context:    default',
    '',
    'Server:',
    ` Containers: ${d.Containers}`,
    `  Running: ${d.ContainersRunning}`,
    `  Paused: ${d.ContainersPaused}`,
    `  Stopped: ${d.ContainersStopped}`,
    ` Images: ${d.Images}`,
    ` Server Version: ${VERSION}`,
    ` Storage Driver: ${d.Driver}`,
    ` Cgroup Driver: ${d.CgroupDriver}`,
    ` Cgroup Version: ${d.CgroupVersion}`,
    ' Plugins:',
    '  Volume: local',
    '  Network: bridge host none',
    ` Runtimes: ${runtimes}`,
    ` Default Runtime: ${d.DefaultRuntime}`,
    ` Kernel Version: ${d.KernelVersion}`,
    ` Operating System: ${d.OperatingSystem}`,
    ` OSType: ${d.OSType}`,
    ` Architecture: ${d.Architecture}`,
    ` CPUs: ${d.NCPU}`,
    ` Total Memory: ${humanSize(Number(raw.MemTotal))}`,
    ` Name: ${d.Name}`,
    ` Docker Root Dir: ${d.DockerRootDir}`,
    ` Run Root: ${d.RunRoot}`,
    '',
  ].join('\n'));
  return 0;
}
