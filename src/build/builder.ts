// `berth build`: runs a Containerfile. Each stage starts FROM an image, scratch or an earlier
// stage; RUN runs in a real container (through the engine, network none unless asked), COPY and
// ADD copy into a fresh layer; the other instructions edit the image config. Every step that
// makes a layer makes an image, remembered in the build cache under a key chained from the
// parent's key, the instruction and its inputs (file contents, build args), so an unchanged
// step is not run again.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { isAbsolute, join, posix, resolve } from 'node:path';
import { BerthError, invalid, notFound } from '../common/errors.js';
import { createContainer, listContainers, removeContainer, startContainer, waitContainer } from '../engine/containers.js';
import { logPath, type EngineContext } from '../engine/context.js';
import { LogFollower } from '../engine/logs.js';
import { imageContext } from '../engine/parts.js';
import { getContainer } from '../state/containers.js';
import { pidAlive } from '../sys/proc.js';
import { emptyResources } from '../engine/types.js';
import { createImage } from '../image/create.js';
import { ensureImage, type PullOptions, type PullPolicy } from '../engine/registry.js';
import { imageLayerDirs, resolveImage } from '../image/images.js';
import { tagImage } from '../image/manage.js';
import type { ImageRecord, OciContainerConfig } from '../image/types.js';
import { packDir } from '../storage/pack.js';
import { snapshotPaths } from '../storage/overlay.js';
import { tx } from '../state/db.js';
import { isMounted, mount, unmount } from '../sys/mount.js';
import { copyInto, hashSources, matchSource, type Owner } from './copy.js';
import { loadIgnore } from './ignore.js';
import { durationNs, expand, keyValues, parseContainerfile, words, type Instruction } from './parse.js';

export interface BuildOptions {
  contextDir: string;
  /** The Containerfile; default CONTEXT/Containerfile, then CONTEXT/Dockerfile. */
  file?: string;
  tags: string[];
  buildArgs: Record<string, string>;
  target?: string;
  noCache: boolean;
  network: 'none' | 'host';
  /** Step lines and RUN output. */
  log: (text: string) => void;
  /** When FROM may pull its image (default missing), and how. */
  pull?: PullPolicy;
  pullOptions?: PullOptions;
}

export interface BuildResult {
  id: string;
  tags: string[];
}

interface Stage {
  name: string | undefined;
  from: Instruction;
  steps: Instruction[];
}

interface State {
  image: ImageRecord | undefined;
  config: OciContainerConfig;
  shell: string[];
  args: Map<string, string>;
  key: string;
  /** The config differs from the image's (a config-only image is made at the end). */
  dirty: boolean;
  /** History lines of the config instructions not yet in an image. */
  notes: string[];
}

const DEFAULT_SHELL = ['/bin/sh', '-c'];

function chain(prev: string, ...parts: string[]): string {
  const h = createHash('sha256').update(prev);
  for (const p of parts) h.update('\n').update(p);
  return h.digest('hex');
}

function splitStages(all: Instruction[]): { globalArgs: Instruction[]; stages: Stage[] } {
  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const ins of all) {
    if (ins.keyword === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(ins.args);
      if (!m) throw invalid('build.syntax', `Containerfile line ${ins.line}: FROM needs an image, optionally "AS name"`);
      stages.push({ name: m[2]?.toLowerCase(), from: ins, steps: [] });
    } else if (stages.length === 0) {
      if (ins.keyword !== 'ARG') throw invalid('build.syntax', `Containerfile line ${ins.line}: ${ins.keyword} before the first FROM`);
      globalArgs.push(ins);
    } else stages[stages.length - 1]!.steps.push(ins);
  }
  if (stages.length === 0) throw invalid('build.syntax', 'the Containerfile has no FROM instruction');
  return { globalArgs, stages };
}

function envMap(config: OciContainerConfig): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of config.Env ?? []) {
    const i = e.indexOf('=');
    if (i > 0) m.set(e.slice(0, i), e.slice(i + 1));
  }
  return m;
}

function setEnv(config: OciContainerConfig, k: string, v: string): void {
  config.Env = [...(config.Env ?? []).filter((e) => !e.startsWith(`${k}=`)), `${k}=${v}`];
}

export async function buildImage(ctx: EngineContext, o: BuildOptions): Promise<BuildResult> {
  const contextDir = resolve(o.contextDir);
  if (!existsSync(contextDir) || !lstatSync(contextDir).isDirectory()) throw notFound('build.no_context', `build context ${o.contextDir} is not a directory`);
  let file = o.file;
  if (file === undefined) file = ['Containerfile', 'Dockerfile'].map((n) => join(contextDir, n)).find((p) => existsSync(p));
  else if (!isAbsolute(file)) file = resolve(file);
  if (file === undefined || !existsSync(file)) throw notFound('build.no_containerfile', `no Containerfile${o.file ? ` ${o.file}` : ` or Dockerfile in ${o.contextDir}`}`, 'give one with -f FILE');
  const instructions = parseContainerfile(readFileSync(file, 'utf8'));
  sweepKilledBuilds(ctx);
  const { globalArgs, stages } = splitStages(instructions);
  const tags = o.tags.map((t) => t);
  const exclude = loadIgnore(contextDir);
  const usedArgs = new Set<string>();
  const argValue = (name: string, dflt: string | undefined) => {
    if (name in o.buildArgs) { usedArgs.add(name); return o.buildArgs[name]; }
    return dflt;
  };
  const global = new Map<string, string>();
  for (const a of globalArgs) {
    for (const [k, v] of keyValues(a.args, a.line, false)) {
      const val = argValue(k, v === undefined ? undefined : expand(v, global, a.line));
      if (val !== undefined) global.set(k, val);
    }
  }
  let last = stages.length - 1;
  if (o.target !== undefined) {
    last = stages.findIndex((s) => s.name === o.target!.toLowerCase());
    if (last < 0) throw notFound('build.no_target', `no stage named "${o.target}" in the Containerfile`);
  }
  const total = stages.slice(0, last + 1).reduce((n, s) => n + 1 + s.steps.length, 0);
  let stepNo = 0;
  const results: ImageRecord[] = [];
  const staging = join(ctx.paths.root, 'tmp');
  mkdirSync(staging, { recursive: true, mode: 0o700 });

  const stageImage = (ref: string, line: number): ImageRecord => {
    const lower = ref.toLowerCase();
    const i = stages.findIndex((s) => s.name === lower);
    const n = i >= 0 ? i : /^\d+$/.test(ref) ? Number(ref) : -1;
    if (n >= 0) {
      const r = results[n];
      if (!r) throw invalid('build.bad_stage', `Containerfile line ${line}: stage "${ref}" is not built before this one`);
      return r;
    }
    return resolveImage(imageContext(ctx).store, ref);
  };

  const cached = (key: string): ImageRecord | undefined => {
    if (o.noCache) return undefined;
    const row = ctx.db.prepare('SELECT image_id FROM build_cache WHERE key = ?').get(key) as { image_id: string } | undefined;
    if (!row) return undefined;
    try {
      return resolveImage(imageContext(ctx).store, row.image_id);
    } catch {
      return undefined;
    }
  };
  const remember = (key: string, id: string) => {
    tx(ctx.db, () => ctx.db.prepare('INSERT OR REPLACE INTO build_cache (key, image_id, created) VALUES (?, ?, ?)').run(key, id, new Date().toISOString()));
  };

  for (let si = 0; si <= last; si++) {
    const stage = stages[si]!;
    stepNo++;
    o.log(`STEP ${stepNo}/${total}: ${stage.from.text}`);
    const fromRef = expand(/^(\S+)/.exec(stage.from.args)![1]!, global, stage.from.line);
    let base: ImageRecord | undefined;
    if (fromRef !== 'scratch') {
      const isStage = stages.some((s) => s.name === fromRef.toLowerCase()) || /^\d+$/.test(fromRef);
      if (!isStage) await ensureImage(ctx, fromRef, o.pull ?? 'missing', o.pullOptions ?? {});
      try {
        base = stageImage(fromRef, stage.from.line);
      } catch (e) {
        if (e instanceof BerthError && e.kind === 'NotFound') {
          throw notFound('build.base_not_found', `Containerfile line ${stage.from.line}: base image ${fromRef} not found`, `pull it first: berth pull ${fromRef}`);
        }
        throw e;
      }
    }
    const st: State = {
      image: base,
      config: structuredClone(base?.config.config ?? {}),
      shell: DEFAULT_SHELL,
      args: new Map(),
      key: chain('', 'FROM', base?.id ?? 'scratch'),
      dirty: false,
      notes: [],
    };
    for (const ins of stage.steps) {
      stepNo++;
      o.log(`STEP ${stepNo}/${total}: ${ins.text}`);
      await step(ins);
    }
    // The stage's image: the last layer image, or a config-only image on top of it.
    let result = st.image;
    if (st.dirty || !result) {
      const key = chain(st.key, 'CONFIG', JSON.stringify(st.config));
      const hit = cached(key);
      if (hit) o.log(`--> Using cache ${hit.id.slice(7)}`);
      result = hit ?? (await createImage(imageContext(ctx), {
        parent: st.image, config: st.config, createdBy: st.notes.at(-1) ?? '/bin/sh -c #(nop) config', configSteps: st.notes.slice(0, -1),
      }));
      remember(key, result.id);
    }
    results[si] = result;

    async function step(ins: Instruction): Promise<void> {
      const vars = new Map([...st.args, ...envMap(st.config)]);
      const x = (t: string) => expand(t, vars, ins.line);
      const bad = (why: string) => invalid('build.syntax', `Containerfile line ${ins.line}: ${why}`);
      switch (ins.keyword) {
        case 'ENV': {
          for (const [k, v] of keyValues(ins.args, ins.line, true)) {
            if (v === undefined) throw bad(`ENV ${k} needs a value`);
            // Every pair sees the values from before this instruction, as Docker expands them.
            setEnv(st.config, k, x(v));
          }
          return config(ins);
        }
        case 'ARG': {
          for (const [k, v] of keyValues(ins.args, ins.line, false)) {
            const val = argValue(k, v === undefined ? global.get(k) : x(v));
            if (val !== undefined) st.args.set(k, val);
          }
          // ARG values reach RUN's environment; they are part of the key, not of the image.
          st.key = chain(st.key, ins.text, JSON.stringify([...st.args]));
          return;
        }
        case 'LABEL': {
          for (const [k, v] of keyValues(ins.args, ins.line, false)) {
            st.config.Labels = { ...(st.config.Labels ?? {}), [x(k)]: x(v ?? '') };
          }
          return config(ins);
        }
        case 'WORKDIR': {
          const w = x(ins.args.trim());
          if (w === '') throw bad('WORKDIR needs a path');
          st.config.WorkingDir = posix.resolve(st.config.WorkingDir || '/', w);
          return config(ins);
        }
        case 'USER': st.config.User = x(ins.args.trim()); return config(ins);
        case 'STOPSIGNAL': st.config.StopSignal = x(ins.args.trim()); return config(ins);
        case 'MAINTAINER': return config(ins);
        case 'ONBUILD': o.log(`warning: ONBUILD is ignored (line ${ins.line})`); return;
        case 'EXPOSE': {
          for (const p of words(x(ins.args))) {
            if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(p)) throw bad(`invalid port "${p}"`);
            st.config.ExposedPorts = { ...(st.config.ExposedPorts ?? {}), [p.includes('/') ? p : `${p}/tcp`]: {} };
          }
          return config(ins);
        }
        case 'VOLUME': {
          const vols = ins.json ?? words(x(ins.args));
          for (const v of vols) st.config.Volumes = { ...(st.config.Volumes ?? {}), [x(v)]: {} };
          return config(ins);
        }
        case 'SHELL':
          if (!ins.json || ins.json.length === 0) throw bad('SHELL needs the JSON form, e.g. SHELL ["/bin/sh", "-c"]');
          st.shell = ins.json;
          return config(ins);
        case 'ENTRYPOINT':
          st.config.Entrypoint = ins.json ?? [...st.shell, ins.args];
          // Docker: an ENTRYPOINT set here drops the CMD inherited from the base image.
          if (!stage.steps.slice(stage.steps.indexOf(ins)).some((s) => s.keyword === 'CMD')) st.config.Cmd = null;
          return config(ins);
        case 'CMD':
          st.config.Cmd = ins.json ?? [...st.shell, ins.args];
          return config(ins);
        case 'HEALTHCHECK': {
          const m = /^(NONE|CMD)\b\s*(.*)$/is.exec(ins.args);
          if (!m) throw bad('HEALTHCHECK needs NONE or CMD');
          if (m[1]!.toUpperCase() === 'NONE') {
            st.config.Healthcheck = { Test: ['NONE'] };
            return config(ins);
          }
          const rest = m[2]!.trim();
          let json: string[] | undefined;
          try { const v = JSON.parse(rest) as unknown; if (Array.isArray(v)) json = v as string[]; } catch { /* shell form */ }
          const h: NonNullable<OciContainerConfig['Healthcheck']> = { Test: json ? ['CMD', ...json] : ['CMD-SHELL', rest] };
          for (const [k, v] of Object.entries(ins.flags)) {
            if (k === 'interval') h.Interval = durationNs(v, ins.line);
            else if (k === 'timeout') h.Timeout = durationNs(v, ins.line);
            else if (k === 'start-period') h.StartPeriod = durationNs(v, ins.line);
            else if (k === 'retries') h.Retries = Number(v);
            else throw bad(`unknown HEALTHCHECK option --${k}`);
          }
          st.config.Healthcheck = h;
          return config(ins);
        }
        case 'RUN': return run(ins, vars);
        case 'COPY':
        case 'ADD': return copy(ins, x);
        case 'FROM': return;
      }
    }

    function config(ins: Instruction): void {
      st.dirty = true;
      st.notes.push(`/bin/sh -c #(nop) ${ins.text}`);
      st.key = chain(st.key, ins.text, JSON.stringify(st.config));
    }

    async function withLayer(ins: Instruction, key: string, make: (layerTar: string) => Promise<void>): Promise<void> {
      const hit = cached(key);
      if (hit) {
        o.log(`--> Using cache ${hit.id.slice(7)}`);
        st.image = hit;
        st.key = key;
        st.dirty = false;
        st.notes = [];
        return;
      }
      const dir = mkdtempSync(join(staging, 'build-'));
      try {
        const tar = join(dir, 'layer.tar');
        await make(tar);
        const img = await createImage(imageContext(ctx), { parent: st.image, config: st.config, layerTar: tar, createdBy: ins.text, configSteps: st.notes });
        remember(key, img.id);
        o.log(`--> ${img.id.slice(7, 19)}`);
        st.image = img;
        st.key = key;
        st.dirty = false;
        st.notes = [];
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    async function run(ins: Instruction, vars: Map<string, string>): Promise<void> {
      const unknownFlags = Object.keys(ins.flags);
      if (unknownFlags.length > 0) throw invalid('build.syntax', `Containerfile line ${ins.line}: RUN --${unknownFlags[0]} is not supported`);
      const cmd = ins.json ?? [...st.shell, ins.args];
      const env = [...(st.config.Env ?? [])];
      for (const [k, v] of st.args) if (!envMap(st.config).has(k)) env.push(`${k}=${v}`);
      const key = chain(st.key, ins.text, JSON.stringify(env), o.network, JSON.stringify(st.config));
      await withLayer(ins, key, async (layerTar) => {
        // A RUN on scratch, or on a config-only change of it, needs an image record to start from.
        const image = st.image ?? (await createImage(imageContext(ctx), { parent: undefined, config: st.config, createdBy: 'scratch' }));
        const c = createContainer(ctx, {
          image: image.id,
          name: `berth-build-${process.pid}-${randomBytes(4).toString('hex')}`,
          entrypoint: [],
          cmd,
          env,
          ...(st.config.WorkingDir ? { workdir: st.config.WorkingDir } : {}),
          ...(st.config.User ? { user: st.config.User } : {}),
          readOnly: false,
          resources: emptyResources(),
          volumes: [],
          networkMode: o.network,
          networks: [],
          ports: [],
          publishAll: false,
          restart: { name: 'no', maxRetries: 0 },
          autoRemove: false,
          labels: { 'io.berth.build': 'true' },
        });
        // Interrupted (Ctrl-C, kill), the build still removes its container before it goes.
        const onSignal = (sig: NodeJS.Signals) => {
          try { removeContainer(ctx, c.id, { force: true }); } catch { /* exiting anyway */ }
          process.exit(sig === 'SIGINT' ? 130 : 143);
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          await startContainer(ctx, c.id);
          // The step's output is shown as it comes, line by line, from the container's log.
          const follower = new LogFollower(logPath(ctx, c.id));
          let pending = '';
          let printed = false;
          const show = () => {
            for (const r of follower.read()) {
              pending += r.text + (r.partial ? '' : '\n');
              printed = true;
            }
            const nl = pending.lastIndexOf('\n');
            if (nl >= 0) {
              for (const l of pending.slice(0, nl).split('\n')) o.log(l);
              pending = pending.slice(nl + 1);
            }
          };
          for (;;) {
            const cur = getContainer<{ version: 1 }>(ctx.db, c.id);
            if (!cur || cur.status !== 'running' || cur.pid === null || !pidAlive(cur.pid)) break;
            show();
            await new Promise((r) => setTimeout(r, 50));
          }
          const done = waitContainer(ctx, c.id);
          show();
          if (pending !== '') o.log(pending);
          const output = printed;
          if (done.exitCode !== 0) {
            throw new BerthError('Unavailable', 'build.run_failed',
              `Containerfile line ${ins.line}: "${ins.text}" failed with exit code ${done.exitCode}`,
              { hint: output ? 'its output is above' : 'it printed nothing' });
          }
          await packDir(snapshotPaths(ctx.paths.root, c.id).upper, createWriteStream(layerTar, { mode: 0o600 }), {
            overlayWhiteouts: true,
            // The runtime's mount points for /etc/hosts and friends are not the build's doing.
            exclude: (rel) => mountPoint(image, rel),
          });
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          removeContainer(ctx, c.id, { force: true });
        }
      });
    }

    /** Files the runtime creates in the upper layer only to mount over them. */
    function mountPoint(image: ImageRecord, rel: string): boolean {
      return ['etc/hosts', 'etc/hostname', 'etc/resolv.conf'].includes(rel) && !inImage(image, `/${rel}`);
    }

    async function copy(ins: Instruction, x: (t: string) => string): Promise<void> {
      for (const k of Object.keys(ins.flags)) {
        if (!['from', 'chown', 'chmod'].includes(k)) throw invalid('build.syntax', `Containerfile line ${ins.line}: ${ins.keyword} --${k} is not supported`);
      }
      const parts = ins.json ?? words(ins.args);
      if (parts.length < 2) throw invalid('build.syntax', `Containerfile line ${ins.line}: ${ins.keyword} needs a source and a destination`);
      const sources = parts.slice(0, -1).map(x);
      if (sources.some((s) => /^[a-z]+:\/\//i.test(s))) {
        throw invalid('build.no_network', `Containerfile line ${ins.line}: ${ins.keyword} from a URL is not supported (builds do not reach the network)`);
      }
      let destText = x(parts[parts.length - 1]!);
      const trailing = destText.endsWith('/');
      destText = posix.resolve(st.config.WorkingDir || '/', destText) + (trailing && destText !== '/' ? '/' : '');
      const chmod = ins.flags.chmod === undefined ? undefined : parseInt(ins.flags.chmod, 8);
      if (chmod !== undefined && (Number.isNaN(chmod) || !/^[0-7]{3,4}$/.test(ins.flags.chmod!))) throw invalid('build.syntax', `Containerfile line ${ins.line}: --chmod wants octal, not "${ins.flags.chmod}"`);
      const owner = ins.flags.chown === undefined ? undefined : resolveOwner(x(ins.flags.chown), ins.line);
      let srcRoot = contextDir;
      let excl = exclude;
      let fromId = 'context';
      let unmountFrom: (() => void) | undefined;
      if (ins.flags.from !== undefined) {
        const img = stageImage(x(ins.flags.from), ins.line);
        fromId = img.id;
        const m = viewImage(img);
        srcRoot = m.path;
        unmountFrom = m.release;
        excl = () => false;
      }
      try {
        const what = `Containerfile line ${ins.line}: ${ins.keyword}`;
        const rels = sources.flatMap((s) => matchSource(srcRoot, s, excl, what));
        const digest = await hashSources(srcRoot, rels, excl);
        const key = chain(st.key, ins.text, fromId, digest, destText, JSON.stringify(owner ?? null), String(chmod ?? ''), JSON.stringify(st.config));
        await withLayer(ins, key, async (layerTar) => {
          const root = mkdtempSync(join(staging, 'copy-'));
          try {
            await copyInto(root, {
              sources, dest: destText, srcRoot, exclude: excl, owner, mode: chmod, add: ins.keyword === 'ADD', what,
              imageDir: (p) => dirInImage(p),
            });
            await packDir(root, createWriteStream(layerTar, { mode: 0o600 }));
          } finally {
            rmSync(root, { recursive: true, force: true });
          }
        });
      } finally {
        unmountFrom?.();
      }
    }

    function layerDirs(): string[] {
      return st.image ? imageLayerDirs(ctx.paths.root, st.image) : [];
    }

    function inImage(image: ImageRecord, path: string): boolean {
      for (const d of imageLayerDirs(ctx.paths.root, image)) {
        try {
          const s = lstatSync(join(d, path));
          return !(s.isCharacterDevice() && s.rdev === 0);
        } catch {
          // not in this layer
        }
      }
      return false;
    }

    function dirInImage(path: string) {
      for (const d of layerDirs()) {
        try {
          const s = lstatSync(join(d, path));
          if (s.isCharacterDevice() && s.rdev === 0) return undefined;
          return s.isDirectory() ? { mode: s.mode, uid: s.uid, gid: s.gid, mtime: s.mtime } : undefined;
        } catch {
          // not in this layer
        }
      }
      return undefined;
    }

    function fileInImage(path: string): string | undefined {
      for (const d of layerDirs()) {
        try {
          return readFileSync(join(d, path), 'utf8');
        } catch {
          // not in this layer
        }
      }
      return undefined;
    }

    function resolveOwner(spec: string, line: number): Owner {
      const [u, g] = spec.split(':');
      const lookupId = (name: string, file: string): number => {
        if (/^\d+$/.test(name)) return Number(name);
        const text = fileInImage(file) ?? '';
        for (const l of text.split('\n')) {
          const f = l.split(':');
          if (f[0] === name && f[2] !== undefined) return Number(f[2]);
        }
        throw notFound('build.no_user', `Containerfile line ${line}: --chown: no ${file === '/etc/passwd' ? 'user' : 'group'} "${name}" in the image`);
      };
      const uid = lookupId(u ?? '', '/etc/passwd');
      let gid = uid;
      if (g !== undefined && g !== '') gid = lookupId(g, '/etc/group');
      else if (!/^\d+$/.test(u ?? '')) {
        const pw = (fileInImage('/etc/passwd') ?? '').split('\n').map((l) => l.split(':')).find((f) => f[0] === u);
        if (pw?.[3] !== undefined) gid = Number(pw[3]);
      }
      return { uid, gid };
    }
  }

  const unused = Object.keys(o.buildArgs).filter((k) => !usedArgs.has(k));
  if (unused.length > 0) o.log(`warning: build args not consumed by the Containerfile: ${unused.join(', ')}`);
  const final = results[last]!;
  const names: string[] = [];
  for (const t of tags) names.push(tagImage(imageContext(ctx), final.id, t));
  for (const n of names) o.log(`Successfully tagged ${n}`);

  /** A read-only view of an image's filesystem (for COPY --from), and how to let it go. */
  function viewImage(img: ImageRecord): { path: string; release: () => void } {
    const dirs = imageLayerDirs(ctx.paths.root, img);
    if (dirs.length === 1) return { path: dirs[0]!, release: () => undefined };
    const empty = join(ctx.paths.root, 'empty');
    mkdirSync(empty, { recursive: true, mode: 0o755 });
    const lowers = dirs.length === 0 ? [empty, empty] : dirs;
    const dir = join(ctx.paths.runroot, 'build');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const target = mkdtempSync(join(dir, `from-${process.pid}-`));
    mount({ type: 'overlay', source: 'overlay', options: [`lowerdir=${lowers.join(':')}`, 'ro'] }, target);
    return {
      path: target,
      release: () => {
        if (isMounted(target)) unmount(target);
        rmSync(target, { recursive: true, force: true });
      },
    };
  }

  return { id: final.id, tags: names };
}


/**
 * What builds killed with -9 left: their RUN containers and COPY --from mounts, both named with
 * the builder's pid. Those of a builder still alive are its own business.
 */
function sweepKilledBuilds(ctx: EngineContext): void {
  for (const c of listContainers(ctx)) {
    const m = /^berth-build-(\d+)-[0-9a-f]+$/.exec(c.name);
    if (m && !pidAlive(Number(m[1]))) {
      try {
        removeContainer(ctx, c.id, { force: true });
      } catch {
        // another sweeper got it first
      }
    }
  }
  const dir = join(ctx.paths.runroot, 'build');
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^from-(\d+)-/.exec(n);
    if (!m || pidAlive(Number(m[1]))) continue;
    const p = join(dir, n);
    if (isMounted(p)) unmount(p, { lazy: true });
    rmSync(p, { recursive: true, force: true });
  }
}
