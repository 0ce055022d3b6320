// COPY and ADD as a step: the instruction's flags and paths checked and resolved (--from a stage
// or an image, --chown against the image's own passwd and group files, --chmod), the sources
// hashed into the key, and, on a cache miss, copied into a new layer that the engine commits.
import { posix } from 'node:path';
import { invalid, notFound } from '../common/errors.js';
import { mark } from '../common/timing.js';
import { chain, layerStep } from './cache.js';
import { copyInto, hashSources, matchSource, type Owner } from './copy.js';
import { expand, words, type Instruction } from './parse.js';
import { stepVars } from './instructions.js';
import { stageImage } from './stages.js';
import type { Build, StepState } from './types.js';

const COPY_FLAGS = ['from', 'chown', 'chmod'];

/** What a COPY or ADD line asks for, checked; paths expanded, dest absolute (a trailing / kept). */
export interface CopySpec {
  sources: string[];
  dest: string;
  from: string | undefined;
  chown: string | undefined;
  chmod: number | undefined;
}

/** Parses a COPY/ADD line against the stage's variables and WORKDIR. Pure. */
export function copySpec(ins: Instruction, vars: ReadonlyMap<string, string>, workdir: string): CopySpec {
  const what = `Containerfile line ${ins.line}: ${ins.keyword}`;
  for (const k of Object.keys(ins.flags)) if (!COPY_FLAGS.includes(k)) throw invalid('build.syntax', `${what} --${k} is not supported`);
  const x = (t: string) => expand(t, vars, ins.line);
  const parts = ins.json ?? words(ins.args);
  if (parts.length < 2) throw invalid('build.syntax', `${what} needs a source and a destination`);
  const sources = parts.slice(0, -1).map(x);
  if (sources.some((s) => /^[a-z]+:\/\//i.test(s))) {
    throw invalid('build.no_network', `${what} from a URL is not supported (builds do not reach the network)`);
  }
  const destText = x(parts[parts.length - 1]!);
  const trailing = destText.endsWith('/') && destText !== '/';
  const dest = posix.resolve(workdir || '/', destText) + (trailing ? '/' : '');
  const chmodText = ins.flags.chmod;
  if (chmodText !== undefined && !/^[0-7]{3,4}$/.test(chmodText))
    throw invalid('build.syntax', `Containerfile line ${ins.line}: --chmod wants octal, not "${chmodText}"`);
  return {
    sources,
    dest,
    from: ins.flags.from === undefined ? undefined : x(ins.flags.from),
    chown: ins.flags.chown === undefined ? undefined : x(ins.flags.chown),
    chmod: chmodText === undefined ? undefined : parseInt(chmodText, 8),
  };
}

/**
 * --chown's USER[:GROUP] as numbers: names are looked up in the image's /etc/passwd and
 * /etc/group (`file` reads one of them, undefined when absent); a user alone also gives its group.
 */
export function resolveOwner(spec: string, line: number, file: (path: string) => string | undefined): Owner {
  const [u = '', g] = spec.split(':');
  const entries = (path: string) => (file(path) ?? '').split('\n').map((l) => l.split(':'));
  const lookupId = (name: string, path: string): number => {
    if (/^\d+$/.test(name)) return Number(name);
    const f = entries(path).find((e) => e[0] === name && e[2] !== undefined);
    if (f) return Number(f[2]);
    throw notFound('build.no_user', `Containerfile line ${line}: --chown: no ${path === '/etc/passwd' ? 'user' : 'group'} "${name}" in the image`);
  };
  const uid = lookupId(u, '/etc/passwd');
  let gid = uid;
  if (g !== undefined && g !== '') gid = lookupId(g, '/etc/group');
  else if (!/^\d+$/.test(u)) {
    const pw = entries('/etc/passwd').find((f) => f[0] === u);
    if (pw?.[3] !== undefined) gid = Number(pw[3]);
  }
  return { uid, gid };
}

export async function copyStep(b: Build, st: StepState, ins: Instruction): Promise<void> {
  const spec = copySpec(ins, stepVars(st), st.config.WorkingDir ?? '');
  const imageId = st.image?.id;
  const owner = spec.chown === undefined ? undefined
    : resolveOwner(spec.chown, ins.line, (p) => (imageId === undefined ? undefined : b.engine.read(imageId, p)));
  const copyFrom = async (srcRoot: string, exclude: (rel: string) => boolean, fromId: string) => {
    const what = `Containerfile line ${ins.line}: ${ins.keyword}`;
    const rels = spec.sources.flatMap((s) => matchSource(srcRoot, s, exclude, what));
    const digest = await hashSources(srcRoot, rels, exclude);
    mark('copy: sources hashed');
    const key = chain(st.key, ins.text, fromId, digest, spec.dest, JSON.stringify(owner ?? null), String(spec.chmod ?? ''), JSON.stringify(st.config));
    await layerStep(b, st, key, () =>
      b.engine.commitDir({
        parent: imageId,
        config: st.config,
        createdBy: ins.text,
        configSteps: st.notes,
        fill: (root) =>
          copyInto(root, {
            sources: spec.sources,
            dest: spec.dest,
            srcRoot,
            exclude,
            owner,
            mode: spec.chmod,
            add: ins.keyword === 'ADD',
            what,
            unpackArchive: b.engine.unpackArchive,
            imageDir: (p) => {
              const s = imageId === undefined ? undefined : b.engine.stat(imageId, p);
              return s?.type === 'directory' ? s : undefined;
            },
          }),
      }));
  };
  if (spec.from === undefined) return copyFrom(b.contextDir, b.exclude, 'context');
  const from = stageImage(b, spec.from, ins.line);
  // Another stage's files are all visible: the ignore file is about the context only.
  return b.engine.withImageFiles(from.id, (root) => copyFrom(root, () => false, from.id));
}
