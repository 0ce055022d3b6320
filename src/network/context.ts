import type { Db } from '../state/db.js';
import type { BerthPaths } from '../common/types.js';

/** What every network operation needs: the instances file and the berth roots. */
export interface NetCtx {
  db: Db;
  paths: BerthPaths;
  /** Pools that networks created without --subnet take a /24 from; default ["10.89.0.0/16"]. */
  pools?: readonly string[];
  /**
   * Bridge name of the default network `berth`; default "berth0". Two berth roots on one host
   * (test suites) each need their own, since a bridge name is host-wide. Must contain "berth"
   * and be at most 15 characters.
   */
  defaultBridge?: string;
}

export const DEFAULT_POOLS: readonly string[] = ['10.89.0.0/16', '10.90.0.0/15'];
