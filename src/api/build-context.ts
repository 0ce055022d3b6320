// A build context a client uploaded is untrusted: once unpacked (by the layer unpacker, which
// writes nothing outside its directory), the builder reads it through plain host paths, so a
// link in it must not lead out of it, and a device node must not stand for a host disk.
import { lstatSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { isAbsolute, join, posix, relative } from 'node:path';
import { badRequest } from './errors.js';

const inside = (root: string, p: string) => {
  const r = relative(root, p);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

/** Refuses a context whose links resolve outside it, or that holds devices, fifos or sockets. */
export function checkContext(dir: string): void {
  const root = realpathSync(dir);
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel))) {
      const r = rel === '' ? name : `${rel}/${name}`;
      const p = join(root, r);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(r);
      else if (st.isSymbolicLink()) {
        let real: string | undefined;
        try {
          real = realpathSync(p);
        } catch {
          // Dangling: judged by its text, as it may come to exist.
          const t = readlinkSync(p);
          real = isAbsolute(t) ? t : join(root, posix.dirname(r), t);
        }
        if (!inside(root, real)) throw badRequest(`build context: the link ${r} points outside the context`);
      } else if (!st.isFile()) throw badRequest(`build context: ${r} is not a file, directory or link`);
    }
  };
  walk('');
}

/** The Dockerfile named by the client, as a path under the context; never above it. */
export function dockerfileIn(dir: string, given: string | undefined): string {
  const name = given === undefined || given === '' ? 'Dockerfile' : given;
  // Resolved from the context's top as from a root: "../../x" is the context's own x.
  const n = posix.normalize(`/${name}`).slice(1);
  if (name.includes('\0') || n === '') throw badRequest(`the Dockerfile "${name}" must be a path inside the build context`);
  const p = join(dir, n);
  let st;
  try {
    st = lstatSync(p);
  } catch {
    throw badRequest(`Cannot locate specified Dockerfile: ${name}`);
  }
  // A link would be followed by the builder's read; checkContext has kept links inside.
  if (!st.isFile() && !st.isSymbolicLink()) throw badRequest(`the Dockerfile ${name} is not a file`);
  return p;
}
