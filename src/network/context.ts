import type { BerthPaths } from '../common/types.js';
import type { NetworkStore } from './store.js';

/** What every network operation needs: its records (handed in by the engine) and the berth roots. */
export interface NetCtx {
  store: NetworkStore;
  paths: BerthPaths;
  /** Pools that networks created without --subnet take a /24 from; default ["10.89.0.0/16"]. */
  pools?: readonly string[];
  /**
   * A fixed bridge name for the default network `berth` (e.g. "berth0"); by default it is named
   * from its id like every network. Taken by another root, the id-derived name is used instead.
   * Must contain "berth" and be at most 15 characters.
   */
  defaultBridge?: string;
}

export const DEFAULT_POOLS: readonly string[] = ['10.89.0.0/16', '10.90.0.0/15'];
