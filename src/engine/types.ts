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

export type NetworkMode = 'none' | 'host' | 'bridge';

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
  healthcheck?: Healthcheck;
  security?: SecurityRequest;
  userns?: UsernsRequest;
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
  userns?: UsernsSpec;
}

export function emptyResources(): Resources {
  return { blkio: { readBps: [], writeBps: [], readIops: [], writeIops: [] } };
}
