// Bind sources read from the host for kube generate: a regular file, or a flat directory of
// regular files, up to a size. Symbolic links are not followed out of the directory: a link is
// reported, not read, since its target may be anything on the host.
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FileSource, HostContent } from './generate.js';

export const hostFiles: FileSource = {
  read(path: string, maxBytes: number, maxFiles: number): HostContent {
    let st;
    try {
      st = statSync(path);
    } catch (e) {
      return { kind: 'skip', why: `cannot read it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
    }
    if (st.isFile()) {
      if (st.size > maxBytes) return { kind: 'skip', why: `${st.size} bytes, more than a ConfigMap's ${maxBytes}` };
      return { kind: 'file', data: readFileSync(path) };
    }
    if (!st.isDirectory()) return { kind: 'skip', why: 'neither a regular file nor a directory' };
    const names = readdirSync(path).sort();
    if (names.length > maxFiles) return { kind: 'skip', why: `a directory of ${names.length} entries, more than ${maxFiles}` };
    const files: Array<{ name: string; data: Buffer }> = [];
    let total = 0;
    for (const name of names) {
      const l = lstatSync(join(path, name));
      if (!l.isFile()) return { kind: 'skip', why: `${name} is not a regular file (a ConfigMap holds files of one directory only)` };
      total += l.size;
      if (total > maxBytes) return { kind: 'skip', why: `a directory of more than ${maxBytes} bytes` };
      files.push({ name, data: readFileSync(join(path, name)) });
    }
    return { kind: 'dir', files };
  },
};
