// --pull for run, create and build: fetch a missing image first, as Docker and Podman do. The
// registry client is loaded only when a pull may happen, so a run of a local image pays nothing.
import { str, type ParsedArgs } from '../args.js';
import { invalid } from '../../common/errors.js';
import type { Engine, PullPolicy } from '../../engine/index.js';
import { progressFor } from './transfer-progress.js';

export const PULL_FLAGS = [
  { long: 'pull', type: 'string', description: 'always, missing (default) or never pull the image' },
  { long: 'tls-verify', type: 'boolean', description: "verify the registry's certificate (default true)" },
] as const;

export function parsePullPolicy(v: string | undefined): PullPolicy {
  if (v === undefined || v === 'missing') return 'missing';
  // Podman's "true" and "newer" ask the registry each time, like "always".
  if (v === 'always' || v === 'true' || v === 'newer') return 'always';
  if (v === 'never' || v === 'false') return 'never';
  throw invalid('pull.bad_policy', `invalid --pull "${v}": expected always, missing or never`);
}

/** Pulls `image` when the policy asks for it, with progress on stderr. */
export async function pullIfNeeded(engine: Engine, image: string, values: ParsedArgs['values']): Promise<void> {
  const policy = parsePullPolicy(str(values.pull));
  if (policy === 'never' || (policy === 'missing' && await engine.images.exists(image))) return;
  const pr = progressFor('Copying', false);
  try {
    await engine.images.ensure(image, policy, {
      tlsVerify: values['tls-verify'] !== false,
      ...(pr.progress ? { progress: pr.progress } : {}),
      onMissing: () => process.stderr.write(`Unable to find image '${image}' locally\n`),
    });
  } finally {
    pr.finish();
  }
}
