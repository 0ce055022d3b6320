// The default seccomp filter. We do not ship our own list: containers-common installs the one
// Podman uses (the Docker profile plus includes/excludes keyed on capabilities and arches) at
// /usr/share/containers/seccomp.json, and we resolve it for this host and this capability set
// the way containers/common's pkg/seccomp does, into the plain OCI `linux.seccomp` object.
import { readFileSync } from 'node:fs';
import type { OciSeccomp, OciSeccompArg, OciSeccompSyscall } from './types.js';
import { DEFAULT_CAPABILITIES } from './spec.js';
import { corrupt } from '../common/errors.js';

export const DEFAULT_SECCOMP_PATH = '/usr/share/containers/seccomp.json';

interface ProfileFilter {
  caps?: string[] | null;
  arches?: string[] | null;
  minKernel?: string | null;
}

interface ProfileSyscall {
  name?: string;
  names?: string[] | null;
  action: string;
  errnoRet?: number;
  args?: OciSeccompArg[] | null;
  includes?: ProfileFilter | null;
  excludes?: ProfileFilter | null;
}

export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[] | null;
  archMap?: { architecture: string; subArchitectures?: string[] | null }[] | null;
  syscalls?: ProfileSyscall[] | null;
}

export interface ResolveTarget {
  /** Go's GOARCH spelling, which the profile's includes/excludes use: amd64, arm64, … */
  arch: string;
  /** The OCI/libseccomp spelling of the same: SCMP_ARCH_X86_64, … */
  scmpArch: string;
  capabilities: readonly string[];
  /** "major.minor" of the running kernel, for includes.minKernel; absent means "new enough". */
  kernel?: string;
}

export const X86_64: Omit<ResolveTarget, 'capabilities'> = { arch: 'amd64', scmpArch: 'SCMP_ARCH_X86_64' };

function kernelAtLeast(running: string | undefined, min: string): boolean {
  if (running === undefined) return true;
  const parse = (v: string) => v.split(/[.-]/).slice(0, 2).map((x) => Number.parseInt(x, 10) || 0);
  const [ra = 0, rb = 0] = parse(running);
  const [ma = 0, mb = 0] = parse(min);
  return ra !== ma ? ra > ma : rb >= mb;
}

function applies(sc: ProfileSyscall, t: ResolveTarget): boolean {
  const inc = sc.includes ?? {};
  const exc = sc.excludes ?? {};
  const has = (c: string) => t.capabilities.includes(c);
  if (exc.arches?.includes(t.arch)) return false;
  if (exc.caps?.some(has)) return false;
  if (inc.arches && inc.arches.length > 0 && !inc.arches.includes(t.arch)) return false;
  if (inc.caps && inc.caps.length > 0 && !inc.caps.every(has)) return false;
  if (inc.minKernel && !kernelAtLeast(t.kernel, inc.minKernel)) return false;
  return true;
}

/** Pure: resolves a containers-common profile for one arch and capability set. */
export function resolveProfile(profile: SeccompProfile, t: ResolveTarget): OciSeccomp {
  let architectures: string[] = [];
  const entry = profile.archMap?.find((a) => a.architecture === t.scmpArch);
  if (entry) architectures = [entry.architecture, ...(entry.subArchitectures ?? [])];
  else if (profile.architectures?.length) architectures = [...profile.architectures];

  const syscalls: OciSeccompSyscall[] = [];
  for (const sc of profile.syscalls ?? []) {
    if (!applies(sc, t)) continue;
    const names = sc.names && sc.names.length > 0 ? [...sc.names] : sc.name ? [sc.name] : [];
    if (names.length === 0) continue;
    const out: OciSeccompSyscall = { names, action: sc.action };
    if (sc.errnoRet !== undefined) out.errnoRet = sc.errnoRet;
    if (sc.args && sc.args.length > 0) out.args = sc.args.map((a) => ({ index: a.index, value: a.value, valueTwo: a.valueTwo ?? 0, op: a.op }));
    syscalls.push(out);
  }
  const result: OciSeccomp = { defaultAction: profile.defaultAction, architectures, syscalls };
  if (profile.defaultErrnoRet !== undefined) result.defaultErrnoRet = profile.defaultErrnoRet;
  return result;
}

function runningKernel(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    return undefined;
  }
}

export interface LoadSeccompOptions {
  path?: string;
  capabilities?: readonly string[];
  /** Receives a one-line note when no filter is applied, for --debug output. */
  debug?: (note: string) => void;
}

/**
 * The default filter for x86_64 and the given capabilities (Docker's default set unless told),
 * or null when the profile file is absent: the container then runs without seccomp.
 */
export function loadDefaultSeccomp(opts: LoadSeccompOptions = {}): OciSeccomp | null {
  const path = opts.path ?? DEFAULT_SECCOMP_PATH;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      opts.debug?.(`seccomp: ${path} not found (install golang-github-containers-common); containers run without a seccomp filter`);
      return null;
    }
    throw e;
  }
  let profile: SeccompProfile;
  try {
    profile = JSON.parse(text) as SeccompProfile;
  } catch (e) {
    throw corrupt('seccomp.invalid', `seccomp profile ${path}: ${(e as Error).message}`, 'reinstall golang-github-containers-common');
  }
  const kernel = runningKernel();
  return resolveProfile(profile, { ...X86_64, capabilities: opts.capabilities ?? DEFAULT_CAPABILITIES, ...(kernel === undefined ? {} : { kernel }) });
}
