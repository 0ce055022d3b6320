// What a caller (CLI, compose, API) asks the engine for, and what the engine keeps as a
// container's characteristics. Both are plain data; the shapes are contracts of the instances file.
import type { SeccompProfile } from '../runtime/seccomp.js';
import type { IdMapping } from '../runtime/types.js';

export interface DeviceRate {
  path: string;
  rate: number;
}

export interface Resources {
  memory?: number; // bytes
  cpus?: number; // fraction of CPUs
  cpusetCpus?: string;
  pidsLimit?: number;
  /** Memory plus swap, bytes; -1 unlimited. Absent: twice memory, as Docker. */
  memorySwap?: number;
  memoryReservation?: number; // bytes, the soft limit
  cpuShares?: number;
  cpuPeriod?: number; // µs
  cpuQuota?: number; // µs
  blkioWeight?: number; // 10..1000
  blkio: { readBps: DeviceRate[]; writeBps: DeviceRate[]; readIops: DeviceRate[]; writeIops: DeviceRate[] };
}

export interface VolumeMount {
  source: string;
  destination: string;
  readonly: boolean;
  named?: boolean;
}

export interface NetworkAttachment {
  network: string;
  ip?: string;
  aliases?: string[];
}

/** container: another container's network namespace (NamespaceRequest.network names it). */
export type NetworkMode = 'none' | 'host' | 'bridge' | 'container';

/**
 * --network container:REF, --pid and --ipc as given, in Docker's words: network is the REF;
 * pid is "host" or "container:REF"; ipc is also "private" or "shareable" (the default).
 */
export interface NamespaceRequest {
  network?: string;
  pid?: string;
  ipc?: string;
}

/** The namespaces a container shares, fixed at create: "host", or another container's id. Absent: its own. */
export interface SharedNamespaces {
  network?: string;
  pid?: string;
  ipc?: string;
}

export interface RestartPolicy {
  name: 'no' | 'on-failure' | 'always' | 'unless-stopped';
  maxRetries: number;
}

export interface Healthcheck {
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

/** --cap-add, --security-opt and the rest, as the user gave them; checked by createContainer. */
export interface SecurityRequest {
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  noNewPrivileges?: boolean;
  /** Docker's client sends the profile's text, not its path: the file may not exist at start. */
  seccomp?: 'unconfined' | { source: string; text: string };
  groupAdd?: string[];
  tmpfs?: TmpfsSpec[];
}

export interface TmpfsSpec {
  destination: string;
  options: string[];
}

/** What is kept of a SecurityRequest. Absent from records made before it existed: Docker's defaults. */
export interface SecuritySpec {
  capAdd: string[]; // CAP_… or ALL
  capDrop: string[];
  privileged: boolean;
  noNewPrivileges: boolean;
  seccomp: 'default' | 'unconfined' | { source: string; profile: SeccompProfile };
  groupAdd: string[]; // names or numbers, looked up in the image's /etc/group at start
  tmpfs: TmpfsSpec[];
}

/** --ulimit NAME=SOFT[:HARD]; name as Docker spells it (nofile, nproc, core, ...). */
export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

/** --device HOST[:CONTAINER[:PERMS]]; the node's numbers are read again at each start. */
export interface DeviceMapping {
  pathOnHost: string;
  pathInContainer: string;
  permissions: string; // some of r, w, m
}

/** --mount type=bind|volume|tmpfs,...: Docker's Mount, as given; checked by createContainer. */
export interface MountSpec {
  type: 'bind' | 'volume' | 'tmpfs';
  source?: string; // host path (bind) or volume name (volume); none for tmpfs
  target: string;
  readonly: boolean;
  bindPropagation?: 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';
  tmpfsSize?: number; // bytes
  tmpfsMode?: number;
  volumeNoCopy?: boolean;
}

/** --init: a small init as pid 1 (tini's static build from Debian), bind-mounted read-only. */
export interface InitSpec {
  path: string;
}

/** --userns, --uidmap and --gidmap as given; checked and resolved by createContainer. */
export interface UsernsRequest {
  /** "host", "auto", "auto:size=N", or undefined when only maps are given. */
  mode?: string;
  /** container:host:size, Podman's --uidmap. */
  uidmap: string[];
  gidmap: string[];
}

/** The user namespace a container runs in, fixed at create. Absent: the host's (Docker's default). */
export interface UsernsSpec {
  /** auto: a range of the subordinate ids that berth allocated (and frees at rm); map: the user's. */
  mode: 'auto' | 'map';
  uidMap: IdMapping[];
  gidMap: IdMapping[];
}

/** A request to create a container, already parsed from flags or a compose file. */
export interface CreateRequest {
  image: string;
  name?: string;
  entrypoint?: string[]; // undefined: the image's; []: none
  cmd?: string[]; // undefined or []: the image's
  env: string[];
  workdir?: string;
  user?: string;
  hostname?: string;
  readOnly: boolean;
  resources: Resources;
  volumes: VolumeMount[];
  networkMode: NetworkMode;
  networks: NetworkAttachment[];
  ports: string[];
  publishAll: boolean;
  restart: RestartPolicy;
  autoRemove: boolean;
  runtime?: 'runc' | 'crun';
  labels: Record<string, string>;
  stopTimeout?: number; // seconds
  /** Laid over the image's HEALTHCHECK: flags may tune the image's check without naming a command. */
  healthcheck?: Partial<Healthcheck>;
  /** --no-healthcheck: the image's HEALTHCHECK is not run. */
  noHealthcheck?: boolean;
  security?: SecurityRequest;
  /** -t: a terminal, held by conmon. */
  tty?: boolean;
  /** -i: stdin kept open for attach clients. */
  openStdin?: boolean;
  /** Docker's Config.Attach*: the streams create -a (or a foreground run) named; recorded only. */
  attach?: AttachFlags;
  /** true: the default init; a string: --init-path. */
  init?: boolean | string;
  ulimits?: Ulimit[];
  devices?: DeviceMapping[];
  mounts?: MountSpec[];
  /** Any spelling Docker's kill takes (TERM, SIGTERM, 15); the image's, then SIGTERM, when absent. */
  stopSignal?: string;
  shmSize?: number; // bytes
  /** Namespaced ones only, checked by the front. */
  sysctls?: Record<string, string>;
  /** --add-host, parsed by parseExtraHost. */
  extraHosts?: { host: string; ip: string }[];
  userns?: UsernsRequest;
  oomScoreAdj?: number;
  dns?: DnsSpec;
  logOpts?: LogOpts;
  /** --cgroupns; absent: private on a cgroup v2 host, host otherwise (Docker's defaults). */
  cgroupns?: CgroupnsMode;
  namespaces?: NamespaceRequest;
  /** The OCI domainname (the container's NIS domain, `hostname -d` with some libcs). */
  domainname?: string;
  /** OCI annotations, beside berth's own. */
  annotations?: Record<string, string>;
}

export type CgroupnsMode = 'host' | 'private';

/**
 * --log-opt max-size and max-file. conmon's --log-size-max truncates the log when a write would
 * pass max-size (it does not rotate), so one file is kept: max-file is 1.
 */
export interface LogOpts {
  maxSize?: number; // bytes
  maxFile?: number;
}

/** --dns, --dns-search and --dns-option; each list may be empty. */
export interface DnsSpec {
  servers: string[];
  search: string[];
  options: string[];
}

/** The characteristics kept in the instances file from create to rm. */
export interface ContainerSpec {
  version: 1;
  entrypoint: string[];
  cmd: string[];
  args: string[];
  env: string[];
  workdir: string;
  user: string;
  hostname: string;
  readOnly: boolean;
  resources: Resources;
  volumes: VolumeMount[];
  networkMode: NetworkMode;
  networks: NetworkAttachment[];
  ports: string[];
  restart: RestartPolicy;
  autoRemove: boolean;
  runtime?: 'runc' | 'crun';
  stopSignal: string;
  stopTimeout: number;
  healthcheck?: Healthcheck;
  security?: SecuritySpec;
  tty?: boolean;
  openStdin?: boolean;
  attach?: AttachFlags;
  // Each absent from records made before it existed, and when not asked for.
  init?: InitSpec;
  ulimits?: Ulimit[];
  devices?: DeviceMapping[];
  mounts?: MountSpec[];
  shmSize?: number;
  sysctls?: Record<string, string>;
  extraHosts?: { host: string; ip: string }[];
  userns?: UsernsSpec;
  oomScoreAdj?: number;
  dns?: DnsSpec;
  logOpts?: LogOpts;
  cgroupns?: CgroupnsMode;
  shared?: SharedNamespaces;
  domainname?: string;
  annotations?: Record<string, string>;
}

export function emptyResources(): Resources {
  return { blkio: { readBps: [], writeBps: [], readIops: [], writeIops: [] } };
}

/**
 * The streams a client said it attaches to (Docker's Config.AttachStdin/Stdout/Stderr): create
 * attaches nothing and start -a attaches stdout and stderr whatever they say, as in Docker; they
 * are kept for inspect and the API's clients.
 */
export interface AttachFlags {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}
