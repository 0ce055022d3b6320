// A compose file as berth understood it: every value checked, defaulted and in one shape, so
// that planning, hashing and `compose config` never look at raw YAML again.
import type { Resources, SecurityRequest, UsernsRequest } from '../engine/types.js';
import type { HostKeys } from './host-keys.js';

export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface ServiceNetwork {
  /** The key under the top-level `networks:` ("default" when the service names none). */
  key: string;
  aliases: string[];
  ipv4Address?: string;
  /** Higher first when the container is attached; 0 when not given. */
  priority?: number;
}

export interface ServiceVolume {
  type: 'bind' | 'volume';
  /** An absolute host path for binds; the top-level volume key for named volumes. */
  source: string;
  target: string;
  readOnly: boolean;
  /** A bind whose missing source `up` makes (a directory), as Compose does for the short syntax. */
  createHostPath?: boolean;
}

/** A top-level secret or config: a file on the host, an environment variable's value, or inline content. */
export interface FileObject {
  key: string;
  /** Absolute, for file:. */
  file?: string;
  /** environment: the variable's name (its value is in `data`). */
  environment?: string;
  /** content: as written (it is in `data` too). */
  content?: string;
  /** The value for environment: and content:; absent for file:. */
  data?: string;
}

/** A secret or config as one service mounts it, read-only. */
export interface ServiceFile {
  /** The top-level key. */
  source: string;
  /** The host file (the top-level entry's), absolute; absent when the value is `data`. */
  file?: string;
  /** The value of an environment: or content: entry: written to a file berth keeps for the container. */
  data?: string;
  /** environment: the variable's name; with no `data`, it was not set. */
  environment?: string;
  /** Absolute path in the container. */
  target: string;
  uid?: number;
  gid?: number;
  /** Permission bits; Compose's default is 0444. */
  mode?: number;
}

export interface ServiceHealthcheck {
  /** The argv to run inside the container; exit 0 means healthy. */
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

export interface DependsOn {
  service: string;
  condition: DependsCondition;
  /** `restart: true`: restarting the dependency with compose restarts this service too. */
  restart: boolean;
  /** `required: false`: a dependency that is not in the project (profile off) is skipped. */
  required: boolean;
}

/** `build:`: how `compose build` makes the service's image with berth's builder. */
export interface ServiceBuild {
  /** Absolute. */
  context: string;
  /** Relative to the context, as Compose reads it. */
  dockerfile?: string;
  dockerfileInline?: string;
  args: Record<string, string>;
  target?: string;
  labels: Record<string, string>;
  /** More names for the built image, beside the service's image. */
  tags: string[];
  network?: 'none' | 'host';
  pull?: boolean;
  noCache?: boolean;
}

export interface ServiceConfig {
  name: string;
  /** With build and no image:, PROJECT-SERVICE, as Compose names it. */
  image: string;
  /** The file gave build and no image: Compose's model has no image then, and prints none. */
  imageDefaulted?: true;
  build?: ServiceBuild;
  /** container_name: replaces PROJECT-SERVICE-1; one replica only. */
  containerName?: string;
  /** Recorded and shown (expose); nothing is published. */
  expose: string[];
  /** As written in the file; normalize accepts only the host's platform. */
  platform?: string;
  /** Recorded and shown by compose config; the engine has no OCI annotations yet. */
  annotations: Record<string, string>;
  profiles: string[];
  readOnly: boolean;
  /** runtime: runc or crun; the engine's choice when absent. */
  runtime?: 'runc' | 'crun';
  /** When `up` pulls the image: if_not_present is missing; build: always built by up. */
  pullPolicy: 'missing' | 'always' | 'never' | 'build';
  /** container: another container's network, named by `namespaces.network`. */
  networkMode: 'bridge' | 'none' | 'host' | 'container';
  /** network_mode, pid and ipc in the file's words: "service:NAME", "container:NAME" or "host". */
  namespaces?: { network?: string; pid?: string; ipc?: string };
  /** domainname: the OCI domainname. */
  domainname?: string;
  command?: string[];
  entrypoint?: string[];
  /** Resolved: variables given without a value took the host's, or were dropped. */
  environment: Record<string, string>;
  workingDir?: string;
  user?: string;
  hostname?: string;
  labels: Record<string, string>;
  /** Engine syntax: [HOSTIP:][HOSTPORT:]CTRPORT[/PROTO]. */
  ports: string[];
  networks: ServiceNetwork[];
  volumes: ServiceVolume[];
  secrets: ServiceFile[];
  configs: ServiceFile[];
  /** no, always, unless-stopped, on-failure or on-failure:N */
  restart: string;
  dependsOn: DependsOn[];
  replicas: number;
  resources: Resources;
  /**
   * Where the file gave memory, cpus and pids limits: as the service keys (mem_limit, cpus,
   * pids_limit) or under deploy.resources.limits, or both. Compose's model keeps each where it
   * was written; the engine sees one value (resources). Absent: all under deploy.
   */
  limitsGiven?: { service: LimitKey[]; deploy: LimitKey[] };
  /** deploy.resources.reservations and mem_reservation as written; memory is also resources.memoryReservation. */
  reservations: { memory?: number; cpus?: number };
  healthcheck?: ServiceHealthcheck;
  stopGracePeriodSec?: number;
  /** cap_add, cap_drop, privileged, security_opt, tmpfs, group_add: as `run`'s flags. */
  security?: SecurityRequest;
  /** userns_mode */
  userns?: UsernsRequest;
  /** init, tty, ulimits, sysctls, logging and the other keys `run` has flags for (host-keys.ts). */
  host?: HostKeys;
  /** The service's x-* keys, as written (interpolated): Compose keeps and prints them; berth runs nothing from them. */
  extensions?: Record<string, unknown>;
}

export type LimitKey = 'memory' | 'cpus' | 'pids';

export interface NetworkConfig {
  key: string;
  /** The name on the host: PROJECT_KEY unless `name:` says otherwise. */
  name: string;
  external: boolean;
  /** As the file gives it: Compose's model prints no driver when the file names none. */
  driver?: 'bridge';
  internal: boolean;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  labels: Record<string, string>;
}

export interface VolumeConfig {
  key: string;
  name: string;
  external: boolean;
  labels: Record<string, string>;
}

export interface ComposeProject {
  name: string;
  /** The directory relative paths are resolved against (the compose file's). */
  workingDir: string;
  configFile: string;
  /** Every file read, absolute, in order (-f files, overrides, includes, extends). */
  configFiles: string[];
  services: ServiceConfig[];
  /** Only the networks some service uses, "default" included when needed. */
  networks: NetworkConfig[];
  volumes: VolumeConfig[];
  secrets: FileObject[];
  configs: FileObject[];
  /** The top-level x-* keys, as written (interpolated): printed by compose config, as Compose does. */
  extensions?: Record<string, unknown>;
}

export const LABEL_PROJECT = 'com.docker.compose.project';
export const LABEL_SERVICE = 'com.docker.compose.service';
export const LABEL_NUMBER = 'com.docker.compose.container-number';
export const LABEL_HASH = 'com.docker.compose.config-hash';
export const LABEL_NETWORK = 'com.docker.compose.network';
export const LABEL_VOLUME = 'com.docker.compose.volume';
/** "True" on the containers of `compose run`, as Compose marks them. */
export const LABEL_ONEOFF = 'com.docker.compose.oneoff';
export const LABEL_WORKDIR = 'com.docker.compose.project.working_dir';

/** The keys a service has when its file says nothing of them (for models built from other sources: kube). */
export function serviceDefaults(): Pick<ServiceConfig,
  'expose' | 'annotations' | 'profiles' | 'readOnly' | 'pullPolicy' | 'networkMode' | 'secrets' | 'configs' | 'reservations'>
{
  return { expose: [], annotations: {}, profiles: [], readOnly: false, pullPolicy: 'missing', networkMode: 'bridge', secrets: [], configs: [],
    reservations: {} };
}
