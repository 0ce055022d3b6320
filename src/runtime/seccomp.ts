// The default seccomp filter. We do not ship our own list: containers-common installs the one
// Podman uses (the Docker profile plus includes/excludes keyed on capabilities and arches) at
// /usr/share/containers/seccomp.json, and we resolve it for this host and this capability set
// the way containers/common's pkg/seccomp does, into the plain OCI `linux.seccomp` object.
import { readFileSync } from 'node:fs';
import type { OciSeccomp, OciSeccompArg, OciSeccompSyscall } from './types.js';
import { DEFAULT_CAPABILITIES } from './spec.js';
import { corrupt, invalid } from '../common/errors.js';
import { restrictAsDocker } from './seccomp-docker.js';

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
 * with Docker's stricter rules on namespaces, mounts and the keyring laid over it; or null when
 * the profile file is absent: the container then runs without seccomp.
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
  const caps = opts.capabilities ?? DEFAULT_CAPABILITIES;
  return restrictAsDocker(resolveForHost(profile, caps), caps);
}

function resolveForHost(profile: SeccompProfile, capabilities: readonly string[]): OciSeccomp {
  const kernel = runningKernel();
  return resolveProfile(profile, { ...X86_64, capabilities, ...(kernel === undefined ? {} : { kernel }) });
}

/** A profile given with --security-opt seccomp=FILE, resolved as is: the user's rules are the rules. */
export function resolveUserSeccomp(profile: SeccompProfile, capabilities: readonly string[]): OciSeccomp {
  return resolveForHost(profile, capabilities);
}

// What runc 1.1 and libseccomp 2.5 accept; checked at create so that a typo is a one-line
// error then, rather than a runtime failure at every start.
const ACTIONS = new Set(['SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY']);
const OPS = new Set(['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ']);

const ARCHES = new Set(
  ['X86', 'X86_64', 'X32', 'ARM', 'AARCH64', 'MIPS', 'MIPS64', 'MIPS64N32', 'MIPSEL', 'MIPSEL64', 'MIPSEL64N32', 'PPC', 'PPC64', 'PPC64LE', 'S390', 'S390X',
    'RISCV64'].map((a) => `SCMP_ARCH_${a}`),
);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrList = (v: unknown): boolean => v === undefined || v === null || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
const isUint = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Docker's JSON profile format (moby profiles/seccomp), checked field by field; `source` names
 * the file in messages. Throws InvalidArgument with the first thing wrong.
 */
export function parseSeccompProfile(text: string, source: string): SeccompProfile {
  const bad = (why: string) => invalid('seccomp.bad_profile', `seccomp profile ${source}: ${why}`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw bad(`not JSON (${(e as Error).message})`);
  }
  if (!isObj(v)) throw bad('expected a JSON object');
  if (typeof v.defaultAction !== 'string' || !ACTIONS.has(v.defaultAction)) throw bad(`unknown defaultAction ${JSON.stringify(v.defaultAction)}`);
  if (v.defaultErrnoRet !== undefined && !isUint(v.defaultErrnoRet)) throw bad('defaultErrnoRet must be a number');
  if (!isStrList(v.architectures)) throw bad('architectures must be a list of names');
  if (v.archMap !== undefined && v.archMap !== null) {
    if (!Array.isArray(v.archMap) || !v.archMap.every((a) => isObj(a) && typeof a.architecture === 'string' && isStrList(a.subArchitectures))) {
      throw bad('archMap must be a list of {architecture, subArchitectures}');
    }
  }
  const arches = [...((v.architectures ?? []) as string[]),
    ...((v.archMap ?? []) as { architecture: string; subArchitectures?: string[] | null }[]).flatMap((a) => [a.architecture, ...(a.subArchitectures ?? [])])];
  const unknownArch = arches.find((a) => !ARCHES.has(a));
  if (unknownArch !== undefined) throw bad(`unknown architecture ${JSON.stringify(unknownArch)}`);
  if (v.syscalls !== undefined && v.syscalls !== null && !Array.isArray(v.syscalls)) throw bad('syscalls must be a list');
  for (const [i, sc] of ((v.syscalls ?? []) as unknown[]).entries()) {
    const where = `syscalls[${i}]`;
    if (!isObj(sc)) throw bad(`${where} must be an object`);
    if (!(typeof sc.name === 'string' || (Array.isArray(sc.names) && sc.names.length > 0 && isStrList(sc.names)))) throw bad(`${where} has no names`);
    if (typeof sc.action !== 'string' || !ACTIONS.has(sc.action)) throw bad(`${where}: unknown action ${JSON.stringify(sc.action)}`);
    if (sc.errnoRet !== undefined && !isUint(sc.errnoRet)) throw bad(`${where}: errnoRet must be a number`);
    if (sc.args !== undefined && sc.args !== null && !Array.isArray(sc.args)) throw bad(`${where}: args must be a list`);
    for (const a of (sc.args ?? []) as unknown[]) {
      if (!isObj(a) || !isUint(a.index) || !isUint(a.value) || (a.valueTwo !== undefined && !isUint(a.valueTwo)) || typeof a.op !== 'string' ||
        !OPS.has(a.op))
      {
        throw bad(`${where}: each arg needs index, value and a known op (SCMP_CMP_EQ, …)`);
      }
    }
    for (const k of ['includes', 'excludes'] as const) {
      const f = sc[k];
      if (f === undefined || f === null) continue;
      if (!isObj(f) || !isStrList(f.caps) || !isStrList(f.arches)) throw bad(`${where}: ${k} must be {caps, arches, minKernel}`);
    }
  }
  return v as unknown as SeccompProfile;
}
