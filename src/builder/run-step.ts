// RUN: the command runs in a real container on the stage's image (through the engine, network
// none unless the build asks for host), and what it changed becomes the step's layer. Its key
// covers the command, its environment (build args included), the network and the config.
import { BerthError, invalid } from '../common/errors.js';
import { chain, layerStep } from './cache.js';
import { envMap } from './instructions.js';
import type { Instruction } from './parse.js';
import type { Build, StepState } from './types.js';

/** The command and environment a RUN runs with: the shell form wrapped in SHELL; ARGs not shadowed by ENV added. */
export function runCommand(st: StepState, ins: Instruction): { cmd: string[]; env: string[] } {
  const unknownFlags = Object.keys(ins.flags);
  if (unknownFlags.length > 0) throw invalid('build.syntax', `Containerfile line ${ins.line}: RUN --${unknownFlags[0]} is not supported`);
  const env = [...(st.config.Env ?? [])];
  const set = envMap(st.config);
  for (const [k, v] of st.args) if (!set.has(k)) env.push(`${k}=${v}`);
  return { cmd: ins.json ?? [...st.shell, ins.args], env };
}

export async function runStep(b: Build, st: StepState, ins: Instruction): Promise<void> {
  const { cmd, env } = runCommand(st, ins);
  const key = chain(st.key, ins.text, JSON.stringify(env), b.options.network, JSON.stringify(st.config));
  await layerStep(b, st, key, async () => {
    const r = await b.engine.runStep({
      parent: st.image?.id,
      config: st.config,
      cmd,
      env,
      network: b.options.network,
      createdBy: ins.text,
      configSteps: st.notes,
      onLine: b.log,
    });
    if (!r.image) {
      throw new BerthError('Unavailable', 'build.run_failed', `Containerfile line ${ins.line}: "${ins.text}" failed with exit code ${r.exitCode}`, {
        hint: r.printed ? 'its output is above' : 'it printed nothing',
      });
    }
    return r.image;
  });
}
