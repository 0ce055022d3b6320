// The slice of the OCI runtime spec (config.json, version 1.0.2) that berth emits, and the
// characteristics a caller gives buildSpec. Only fields berth writes are typed; runc ignores
// what it does not know, so keeping this narrow costs nothing and documents what we rely on.

export interface DeviceRate {
  major: number;
  minor: number;
  /** Bytes per second, or operations per second for the *Iops lists. */
  rate: number;
}

export interface BlkioLimits {
  readBps: DeviceRate[];
  writeBps: DeviceRate[];
  readIops: DeviceRate[];
  writeIops: DeviceRate[];
}

export interface ResourceLimits {
  memoryBytes?: number;
  /** Fractional CPUs (Docker's --cpus); becomes quota/period with a period of 100000 µs. */
  cpus?: number;
  cpusetCpus?: string;
  pidsLimit?: number;
  /** -1: unlimited; absent: twice memoryBytes. */
  memorySwap?: number;
  memoryReservation?: number;
  cpuShares?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  blkioWeight?: number;
  blkio?: BlkioLimits;
}

export type NetworkMode = { mode: 'none' } | { mode: 'host' } | { mode: 'path'; path: string };
export type SharedNamespace = { mode: 'host' } | { mode: 'path'; path: string };

/** One line of /proc/PID/uid_map, as the OCI spec spells it. */
export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface BindMount {
  source: string;
  destination: string;
  readonly: boolean;
  /** --mount bind-propagation; rprivate when absent, as Docker. */
  propagation?: 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';
}

/** A tmpfs of the container's own (--tmpfs), with the mount options already checked. */
export interface TmpfsMount {
  destination: string;
  options: string[];
}

export interface SecurityInput {
  /** The capabilities of a root process; Docker's default set when absent. */
  capabilities?: string[];
  /** No masked or read-only paths, /sys and its cgroups writable, every device allowed. */
  privileged?: boolean;
  /** Off by default, as in Docker: setuid programs in the image work. */
  noNewPrivileges?: boolean;
  /** Device nodes runc creates in /dev (the host's, under --privileged). */
  devices?: OciDevice[];
}

export interface SpecInput {
  id: string;
  rootfs: string;
  readonly: boolean;
  args: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  hostname: string;
  domainname?: string;
  terminal: boolean;
  /** Binds and named volumes (already resolved to host dirs), hosts/resolv.conf files included. */
  mounts: BindMount[];
  network: NetworkMode;
  /** --pid and --ipc: the host's, or another container's to join; absent: the container's own. */
  pidNamespace?: SharedNamespace;
  ipcNamespace?: SharedNamespace;
  resources: ResourceLimits;
  /**
   * e.g. "/berth/<id>"; runc creates it under every controller. Absent for rootless berth, which
   * may not write the host's cgroups: runc then leaves the container in its caller's.
   */
  cgroupsPath?: string;
  /** The caller's own hard limits: an rlimit above them makes runc's setrlimit fail with EPERM. */
  rlimitsHardCap: { nofile: number; nproc: number };
  seccomp?: OciSeccomp | null;
  security?: SecurityInput;
  tmpfs?: TmpfsMount[];
  /** --ulimit: replace the default of the same type (NOFILE), added otherwise. */
  rlimits?: OciRlimit[];
  oomScoreAdj?: number;
  /** --device: the node in /dev and its rule in the device cgroup. */
  devices?: { device: OciDevice; access: string }[];
  annotations?: Record<string, string>;
  /** /dev/shm's size; 64 MiB, Docker's default, when absent. */
  shmSize?: number;
  sysctl?: Record<string, string>;
  /**
   * A private cgroup namespace, as Docker does on cgroup v2 hosts. Docker keeps the host's on
   * v1 and hybrid hosts, so that is the default; pass `cgroupMode() === 'v2'`.
   */
  privateCgroupNamespace?: boolean;
  /** A user namespace with these maps (--userns, --uidmap); absent: the host's. */
  idMappings?: { uid: IdMapping[]; gid: IdMapping[] };
}

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface OciRlimit {
  type: string;
  hard: number;
  soft: number;
}

export interface OciCapabilities {
  bounding: string[];
  effective: string[];
  permitted: string[];
  inheritable: string[];
  ambient: string[];
}

export interface OciProcess {
  terminal: boolean;
  user: { uid: number; gid: number; additionalGids?: number[] };
  args: string[];
  env: string[];
  cwd: string;
  capabilities: OciCapabilities;
  rlimits: OciRlimit[];
  noNewPrivileges: boolean;
  oomScoreAdj: number;
}

export interface OciNamespace {
  type: 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';
  path?: string;
}

export interface OciDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

export interface OciDeviceRule {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;
  minor?: number;
  access: string;
}

export interface OciResources {
  devices: OciDeviceRule[];
  memory?: { limit?: number; swap?: number; reservation?: number };
  cpu?: { quota?: number; period?: number; cpus?: string; shares?: number };
  pids?: { limit: number };
  blockIO?: {
    weight?: number;
    throttleReadBpsDevice?: DeviceRate[];
    throttleWriteBpsDevice?: DeviceRate[];
    throttleReadIOPSDevice?: DeviceRate[];
    throttleWriteIOPSDevice?: DeviceRate[];
  };
}

export interface OciSeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

export interface OciSeccompSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: OciSeccompArg[];
}

export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: OciSeccompSyscall[];
}

export interface OciLinux {
  namespaces: OciNamespace[];
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
  resources: OciResources;
  cgroupsPath?: string;
  maskedPaths: string[];
  readonlyPaths: string[];
  devices?: OciDevice[];
  seccomp?: OciSeccomp;
  sysctl?: Record<string, string>;
}

export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly: boolean };
  hostname: string;
  domainname?: string;
  mounts: OciMount[];
  linux: OciLinux;
  annotations?: Record<string, string>;
}
