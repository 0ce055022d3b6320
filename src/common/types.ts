// Plain data the parts hand each other. Nothing here does anything.

/** A mount as the OCI runtime spec and mount(8) describe it. storage/ returns these; engine/ decides when to mount. */
export interface MountSpec {
  type: string;
  source: string;
  /** Absent for the root filesystem, whose target is chosen by the caller. */
  target?: string;
  options: string[];
}

/** Where a berth instance keeps its state. Two roots never see each other's objects. */
export interface BerthPaths {
  /** Persistent state: berth.db, blobs/, layers/, containers/ (default /var/lib/berth). */
  root: string;
  /** Per-boot state: runtime state, pid and exit files (default /run/berth). */
  runroot: string;
}
