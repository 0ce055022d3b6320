// Where rootless berth keeps its state, as Podman does: XDG's data home for the root, the
// user's runtime directory for the runroot (per boot, as /run is), /tmp/berth-UID without one.
import type { BerthPaths } from '../common/types.js';

export function rootlessPaths(uid: number, env: NodeJS.ProcessEnv): BerthPaths {
  const home = env.HOME || `/tmp/berth-${uid}-home`;
  const data = env.XDG_DATA_HOME?.startsWith('/') ? env.XDG_DATA_HOME : `${home}/.local/share`;
  const runtime = env.XDG_RUNTIME_DIR?.startsWith('/') ? `${env.XDG_RUNTIME_DIR}/berth` : `/tmp/berth-${uid}`;
  return { root: `${data}/berth`, runroot: runtime };
}
