// --env-file, --label-file, --stop-signal, --shm-size, --sysctl, --add-host, --cgroupns, --pid, --ipc,
// --domainname and --cidfile: Docker's syntax
// and messages. The files are read here, as Docker's client reads them; the rest is pure.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { OptionDef, ParsedArgs } from '../args.js';
import { list, str } from '../args.js';
import { invalid } from '../../common/errors.js';
import { parseSize } from '../../common/units.js';
import type { AttachFlags, CreateRequest } from '../../engine/types.js';
import { checkSysctl, parseExtraHost } from '../../engine/index.js';

export const EXTRA_RUN_FLAGS: OptionDef[] = [
  { long: 'env-file', type: 'string', multiple: true, description: 'read in a file of environment variables' },
  { long: 'label-file', type: 'string', multiple: true, description: 'read in a line delimited file of labels' },
  { long: 'stop-signal', type: 'string', description: "signal to stop the container (default SIGTERM, or the image's)" },
  { long: 'shm-size', type: 'string', description: 'size of /dev/shm (e.g. 128m; default 64m)' },
  { long: 'sysctl', type: 'string', multiple: true, description: 'set a namespaced kernel parameter NAME=VALUE' },
  { long: 'cidfile', type: 'string', description: 'write the container ID to the file' },
  { long: 'add-host', type: 'string', multiple: true, description: 'add a custom host-to-IP mapping (host:ip)' },
  { long: 'cgroupns', type: 'string', description: "cgroup namespace: 'host' or 'private' (default: private on cgroup v2, host otherwise)" },
  { long: 'pid', type: 'string', description: 'PID namespace to use: host, or container:NAME' },
  { long: 'ipc', type: 'string', description: 'IPC mode to use: private, shareable, host, or container:NAME' },
  { long: 'domainname', type: 'string', description: 'container NIS domain name' },
];

/**
 * Docker's env-file: one VAR=VAL a line, taken as written (no quotes, no expansion); a bare VAR
 * copies ours; blank lines and lines starting with # are skipped.
 */
export function parseEnvFileText(text: string, file: string): string[] {
  const out: string[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line.trimEnd() : line.slice(0, eq);
    if (key === '' || /\s/.test(key)) throw invalid('cli.bad_file', `${file}:${i + 1}: variable '${key}' contains whitespaces`);
    out.push(eq < 0 ? key : `${key}=${line.slice(eq + 1)}`);
  }
  return out;
}

function readList(files: readonly string[]): string[] {
  return files.flatMap((f) => {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      throw invalid('cli.bad_file', `open ${f}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    }
    return parseEnvFileText(text, f);
  });
}

/** Sets on `req` what these flags ask for; env and label files come before -e and -l, which win. */
export function extraRequest(v: ParsedArgs['values'], req: CreateRequest): void {
  const envs = readList(list(v['env-file']));
  if (envs.length > 0) req.env = [...envs, ...req.env];
  for (const l of readList(list(v['label-file']))) {
    const i = l.indexOf('=');
    const k = i < 0 ? l : l.slice(0, i);
    if (!(k in req.labels)) req.labels[k] = i < 0 ? '' : l.slice(i + 1);
  }
  const ss = str(v['stop-signal']);
  if (ss !== undefined) req.stopSignal = ss;
  const shm = str(v['shm-size']);
  if (shm !== undefined) req.shmSize = parseSize(shm, '--shm-size');
  const sysctls = list(v.sysctl).map((s) => checkSysctl(s, req.networkMode));
  if (sysctls.length > 0) req.sysctls = Object.fromEntries(sysctls);
  const hosts = list(v['add-host']).map(parseExtraHost);
  if (hosts.length > 0) req.extraHosts = hosts;
  const cgroupns = str(v.cgroupns);
  if (cgroupns !== undefined) {
    if (cgroupns !== 'host' && cgroupns !== 'private') throw invalid('cli.bad_flag', `invalid cgroup namespace mode: ${cgroupns}`, "use 'host' or 'private'");
    req.cgroupns = cgroupns;
  }
  // Checked by create, which names the other container.
  const pid = str(v.pid);
  const ipc = str(v.ipc);
  if (pid !== undefined || ipc !== undefined) {
    req.namespaces = { ...req.namespaces, ...(pid !== undefined ? { pid } : {}), ...(ipc !== undefined ? { ipc } : {}) };
  }
  const dn = str(v.domainname);
  if (dn !== undefined) req.domainname = dn;
}

/** Docker refuses to start when the file is there already: it may be another container's. */
export function checkCidfile(v: ParsedArgs['values']): string | undefined {
  const f = str(v.cidfile);
  if (f !== undefined && existsSync(f)) {
    throw invalid('cidfile.exists', `Container ID file found, make sure the other container isn't running or delete ${f}`);
  }
  return f;
}

export function writeCidfile(file: string | undefined, id: string): void {
  if (file === undefined) return;
  try {
    writeFileSync(file, id, { flag: 'wx', mode: 0o644 });
  } catch (e) {
    throw invalid('cidfile.write', `failed to create the container ID file: ${(e as Error).message}`);
  }
}

export interface AttachStreams {
  stdout: boolean;
  stderr: boolean;
}

/**
 * Docker's -a: without it a foreground run shows stdout and stderr; with it only those named.
 * STDIN is accepted, but as in Docker it is -i that opens the container's input.
 */
export function attachStreams(v: ParsedArgs['values']): AttachStreams {
  const named = list(v.attach).map((s) => s.toLowerCase());
  for (const s of named) {
    if (s !== 'stdin' && s !== 'stdout' && s !== 'stderr')
      throw invalid('cli.bad_value', `invalid argument "${s}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
  }
  if (named.length === 0) return { stdout: true, stderr: true };
  return { stdout: named.includes('stdout'), stderr: named.includes('stderr') };
}

/**
 * What a container records of -a (Docker's Config.AttachStdin/Stdout/Stderr): the streams named,
 * stdout and stderr when none is, and stdin with -i.
 */
export function attachFlags(v: ParsedArgs['values']): AttachFlags {
  const s = attachStreams(v);
  return { stdin: list(v.attach).some((x) => x.toLowerCase() === 'stdin') || v.interactive === true, ...s };
}
