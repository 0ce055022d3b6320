// What `system check` finds (engine/check.ts), shared by its scans.
import type { Container } from './container-records.js';

export const HEX64 = /^[0-9a-f]{64}$/;

export interface Finding {
  /** mount, netns, veth, bridge, nft-chain, nft-element, cgroup, conmon, health-runner, dns, runtime-state, container-dir, run-dir, record, layer-dir, layer, blob, instances-file, database */
  kind: string;
  object: string;
  problem: string;
  /** What --repair does about it ("none" when berth cannot mend it). */
  action: string;
}

export interface Item extends Finding {
  repair?: () => void;
  /** The container the object belongs to: mended under its lock, skipped while a verb holds it. */
  lockId?: string;
}

export interface Scope {
  records: Map<string, Container>;
  running: Set<string>;
  /** Every id of this root (records, container and run directories). */
  known: string[];
}
