// A service's security keys (cap_add, cap_drop, privileged, security_opt, tmpfs, group_add,
// userns_mode), read into the same requests as `run`'s flags, and checked by the same parsers.
import { isAbsolute, resolve } from 'node:path';
import { parseSecurityOpts, parseTmpfs } from '../engine/index.js';
import type { SecurityRequest, UsernsRequest } from '../engine/types.js';
import type { Map_, Reader } from './reader.js';

const GROUP = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/;

/** Spread into a ServiceConfig: nothing when the service asks for Docker's defaults. */
export function serviceSecurity(r: Reader, s: Map_, p: string, workingDir: string): { security?: SecurityRequest; userns?: UsernsRequest } {
  const sec: SecurityRequest = {};
  if (s.cap_add !== undefined) sec.capAdd = r.strList(s.cap_add, `${p}.cap_add`);
  if (s.cap_drop !== undefined) sec.capDrop = r.strList(s.cap_drop, `${p}.cap_drop`);
  if (s.privileged !== undefined && r.bool(s.privileged, `${p}.privileged`)) sec.privileged = true;
  if (s.security_opt !== undefined) {
    // A seccomp profile's path is the project directory's, as the compose file's own paths are.
    const opts = r.strList(s.security_opt, `${p}.security_opt`);
    Object.assign(sec, parseSecurityOpts(opts.map((o) =>
      o.replace(/^seccomp[=:](?!unconfined$)(.+)$/s, (_, f: string) =>
        `seccomp=${isAbsolute(f) ? f : resolve(workingDir, f)}`)
    )));
  }
  if (s.tmpfs !== undefined) {
    const list = typeof s.tmpfs === 'string' ? [s.tmpfs] : r.strList(s.tmpfs, `${p}.tmpfs`);
    sec.tmpfs = list.map(parseTmpfs);
  }
  if (s.group_add !== undefined) {
    sec.groupAdd = r.list(s.group_add, `${p}.group_add`).map((g, i) => {
      const text = typeof g === 'number' && Number.isInteger(g) && g >= 0 ? String(g) : r.str(g, `${p}.group_add[${i}]`);
      if (!GROUP.test(text)) throw r.fail(`${p}.group_add[${i}]`, `"${text}" is not a group name or GID`);
      return text;
    });
  }
  const out: { security?: SecurityRequest; userns?: UsernsRequest } = {};
  if (Object.keys(sec).length > 0) out.security = sec;
  if (s.userns_mode !== undefined) out.userns = { mode: r.str(s.userns_mode, `${p}.userns_mode`), uidmap: [], gidmap: [] };
  return out;
}
