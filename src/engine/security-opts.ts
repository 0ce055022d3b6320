// --security-opt and --tmpfs as Docker spells them: pure parsers shared by the CLI, compose and
// the API, so that each front refuses the same values with the same line.
import { readFileSync } from 'node:fs';
import { invalid } from '../common/errors.js';
import type { SecurityRequest, TmpfsSpec } from './types.js';

// Mount options tmpfs takes; anything else would fail at start, so it fails at create instead.
const TMPFS_FLAGS = new Set(['ro', 'rw', 'exec', 'noexec', 'suid', 'nosuid', 'dev', 'nodev', 'sync', 'async', 'dirsync', 'atime', 'noatime', 'diratime',
  'nodiratime', 'relatime', 'norelatime', 'strictatime', 'nostrictatime']);
const TMPFS_VALUES: Record<string, RegExp> = {
  size: /^\d+[kmgKMG%]?$/,
  nr_blocks: /^\d+[kmgKMG%]?$/,
  nr_inodes: /^\d+[kmgKMG%]?$/,
  mode: /^[0-7]{3,4}$/,
  uid: /^\d+$/,
  gid: /^\d+$/,
};

/** "--tmpfs /run:size=64m,mode=755" → destination and options; Docker adds noexec,nosuid,nodev before them. */
export function parseTmpfs(text: string): TmpfsSpec {
  const i = text.indexOf(':');
  const destination = i < 0 ? text : text.slice(0, i);
  if (!destination.startsWith('/') || destination.replace(/\/+$/, '') === '') {
    throw invalid('tmpfs.bad', `invalid --tmpfs "${text}": expected an absolute PATH[:OPTIONS] other than /`);
  }
  const options = i < 0 ? [] : text.slice(i + 1).split(',').filter(Boolean);
  for (const o of options) {
    const eq = o.indexOf('=');
    const ok = eq < 0 ? TMPFS_FLAGS.has(o) : TMPFS_VALUES[o.slice(0, eq)]?.test(o.slice(eq + 1)) === true;
    if (!ok)
      throw invalid('tmpfs.bad', `invalid --tmpfs "${text}": unsupported option "${o}"`,
        'tmpfs takes size=, mode=, uid=, gid=, nr_inodes=, ro, exec, suid, dev and the atime flags');
  }
  return { destination, options };
}

const bools: Record<string, boolean> = { '': true, true: true, false: false };

/** --security-opt values, Docker's and its older colon spelling; seccomp=FILE is read here. */
export function parseSecurityOpts(opts: readonly string[],
  read: (path: string) => string = (f) => readFileSync(f, 'utf8')): Pick<SecurityRequest, 'noNewPrivileges' | 'seccomp'>
{
  const out: Pick<SecurityRequest, 'noNewPrivileges' | 'seccomp'> = {};
  for (const opt of opts) {
    const m = /^([a-z-]+)(?:[=:](.*))?$/s.exec(opt);
    const key = m?.[1] ?? '';
    const value = m?.[2] ?? '';
    if (key === 'no-new-privileges') {
      const b = bools[value];
      if (b === undefined) throw invalid('security_opt.bad', `invalid --security-opt "${opt}": no-new-privileges takes true or false`);
      out.noNewPrivileges = b;
    } else if (key === 'seccomp' && value !== '') {
      if (value === 'unconfined') out.seccomp = 'unconfined';
      else {
        let text: string;
        try {
          text = read(value);
        } catch (e) {
          throw invalid('seccomp.no_profile', `opening seccomp profile (${value}) failed: ${(e as Error).message}`);
        }
        out.seccomp = { source: value, text };
      }
    } else if ((key === 'apparmor' || key === 'label') && value !== '') {
      // Neither is applied by berth (this host has no LSM for containers); accepted so that
      // scripts written for Docker and Podman run unchanged. docs/security.md says so.
    } else {
      throw invalid('security_opt.bad', `invalid --security-opt "${opt}"`,
        'berth knows no-new-privileges[=true|false], seccomp=unconfined and seccomp=PROFILE.json');
    }
  }
  return out;
}
