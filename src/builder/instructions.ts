// What the config instructions do to a stage: ENV, ARG, LABEL, WORKDIR, USER, STOPSIGNAL,
// EXPOSE, VOLUME, SHELL, ENTRYPOINT, CMD, HEALTHCHECK (and MAINTAINER, ONBUILD). Pure: they edit
// the stage's state (config, shell, args, cache key) and never touch the host, so they are
// tested without root. RUN, COPY and ADD make layers; they live in run-step.ts and copy-step.ts.
import { posix } from 'node:path';
import { invalid } from '../common/errors.js';
import type { BuildImage, OciContainerConfig } from '../engine/index.js';
import { chain } from './cache.js';
import { durationNs, expand, keyValues, words, type Instruction } from './parse.js';
import type { BuildArgs, StepState } from './types.js';

export const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** A stage's state right after its FROM: the base's config, the default shell, no ARGs. */
export function stageStart(base: BuildImage | undefined): StepState {
  return {
    image: base,
    config: structuredClone(base?.config ?? {}),
    shell: DEFAULT_SHELL,
    args: new Map(),
    key: chain('', 'FROM', base?.id ?? 'scratch'),
    dirty: false,
    notes: [],
  };
}

export function envMap(config: OciContainerConfig): Map<string, string> {
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

/** The variables an instruction's $VAR see: the stage's ARGs, overridden by its ENV. */
export function stepVars(st: StepState): Map<string, string> {
  return new Map([...st.args, ...envMap(st.config)]);
}

/** The --build-arg values `given`, with the global ARGs (those before the first FROM) evaluated. */
export function buildArgs(given: Readonly<Record<string, string>>, globalArgs: readonly Instruction[]): BuildArgs {
  const used = new Set<string>();
  const value = (name: string, dflt: string | undefined) => {
    if (Object.hasOwn(given, name)) {
      used.add(name);
      return given[name];
    }
    return dflt;
  };
  const global = new Map<string, string>();
  for (const a of globalArgs) {
    for (const [k, v] of keyValues(a.args, a.line, false)) {
      const val = value(k, v === undefined ? undefined : expand(v, global, a.line));
      if (val !== undefined) global.set(k, val);
    }
  }
  return { value, global, unused: () => Object.keys(given).filter((k) => !used.has(k)) };
}

export interface InstructionScope {
  args: BuildArgs;
  /** A CMD comes later in this stage (an ENTRYPOINT without one drops the inherited CMD). */
  cmdFollows: boolean;
  warn: (text: string) => void;
}

/**
 * Applies a config instruction to `st`. Returns false for the instructions that make a layer
 * (RUN, COPY, ADD) and FROM, which it leaves alone. Throws InvalidArgument, naming the line, on
 * bad arguments.
 */
export function applyInstruction(st: StepState, ins: Instruction, scope: InstructionScope): boolean {
  const vars = stepVars(st);
  const x = (t: string) => expand(t, vars, ins.line);
  const bad = (why: string) => invalid('build.syntax', `Containerfile line ${ins.line}: ${why}`);
  const c = st.config;
  switch (ins.keyword) {
    case 'ENV':
      for (const [k, v] of keyValues(ins.args, ins.line, true)) {
        if (v === undefined) throw bad(`ENV ${k} needs a value`);
        // Every pair sees the values from before this instruction, as Docker expands them.
        setEnv(c, k, x(v));
      }
      break;
    case 'ARG':
      for (const [k, v] of keyValues(ins.args, ins.line, false)) {
        const val = scope.args.value(k, v === undefined ? scope.args.global.get(k) : x(v));
        if (val !== undefined) st.args.set(k, val);
      }
      // ARG values reach RUN's environment; they are part of the key, not of the image.
      st.key = chain(st.key, ins.text, JSON.stringify([...st.args]));
      return true;
    case 'LABEL':
      for (const [k, v] of keyValues(ins.args, ins.line, false)) c.Labels = { ...(c.Labels ?? {}), [x(k)]: x(v ?? '') };
      break;
    case 'WORKDIR': {
      const w = x(ins.args.trim());
      if (w === '') throw bad('WORKDIR needs a path');
      c.WorkingDir = posix.resolve(c.WorkingDir || '/', w);
      break;
    }
    case 'USER':
      c.User = x(ins.args.trim());
      break;
    case 'STOPSIGNAL':
      c.StopSignal = x(ins.args.trim());
      break;
    case 'MAINTAINER':
      break;
    case 'ONBUILD':
      scope.warn(`warning: ONBUILD is ignored (line ${ins.line})`);
      return true;
    case 'EXPOSE':
      for (const p of words(x(ins.args))) {
        if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(p)) throw bad(`invalid port "${p}"`);
        c.ExposedPorts = { ...(c.ExposedPorts ?? {}), [p.includes('/') ? p : `${p}/tcp`]: {} };
      }
      break;
    case 'VOLUME':
      for (const v of ins.json ?? words(x(ins.args))) c.Volumes = { ...(c.Volumes ?? {}), [x(v)]: {} };
      break;
    case 'SHELL':
      if (!ins.json || ins.json.length === 0) throw bad('SHELL needs the JSON form, e.g. SHELL ["/bin/sh", "-c"]');
      st.shell = ins.json;
      break;
    case 'ENTRYPOINT':
      c.Entrypoint = ins.json ?? [...st.shell, ins.args];
      // Docker: an ENTRYPOINT set here drops the CMD inherited from the base image.
      if (!scope.cmdFollows) c.Cmd = null;
      break;
    case 'CMD':
      c.Cmd = ins.json ?? [...st.shell, ins.args];
      break;
    case 'HEALTHCHECK':
      c.Healthcheck = healthcheck(ins, bad);
      break;
    case 'RUN':
    case 'COPY':
    case 'ADD':
    case 'FROM':
      return false;
  }
  configChanged(st, ins);
  return true;
}

/** A config instruction went into st.config: it is noted for the history and chained into the key. */
function configChanged(st: StepState, ins: Instruction): void {
  st.dirty = true;
  st.notes.push(`/bin/sh -c #(nop) ${ins.text}`);
  st.key = chain(st.key, ins.text, JSON.stringify(st.config));
}

function healthcheck(ins: Instruction, bad: (why: string) => Error): NonNullable<OciContainerConfig['Healthcheck']> {
  const m = /^(NONE|CMD)\b\s*(.*)$/is.exec(ins.args);
  if (!m) throw bad('HEALTHCHECK needs NONE or CMD');
  if (m[1]!.toUpperCase() === 'NONE') return { Test: ['NONE'] };
  const rest = m[2]!.trim();
  let json: string[] | undefined;
  try {
    const v = JSON.parse(rest) as unknown;
    if (Array.isArray(v)) json = v as string[];
  } catch {
    // the shell form
  }
  const h: NonNullable<OciContainerConfig['Healthcheck']> = { Test: json ? ['CMD', ...json] : ['CMD-SHELL', rest] };
  for (const [k, v] of Object.entries(ins.flags)) {
    if (k === 'interval') h.Interval = durationNs(v, ins.line);
    else if (k === 'timeout') h.Timeout = durationNs(v, ins.line);
    else if (k === 'start-period') h.StartPeriod = durationNs(v, ins.line);
    else if (k === 'retries') h.Retries = Number(v);
    else throw bad(`unknown HEALTHCHECK option --${k}`);
  }
  return h;
}
