// What a caller (CLI, compose, API) asks the engine for, and what the engine keeps as a
// container's characteristics. Both are plain data; the shapes are contracts of the instances file.

export interface DeviceRate { path: string; rate: number }

export interface Resources {
  memory?: number;          // bytes
  cpus?: number;            // fraction of CPUs
  cpusetCpus?: string;
  pidsLimit?: number;
  blkio: { readBps: DeviceRate[]; writeBps: DeviceRate[]; readIops: DeviceRate[]; writeIops: DeviceRate[] };
}

export interface VolumeMount { source: string; destination: string; readonly: boolean; named?: boolean }

export interface NetworkAttachment { network: string; ip?: string; aliases?: string[] }

export type NetworkMode = 'none' | 'host' | 'bridge';

export interface RestartPolicy { name: 'no' | 'on-failure' | 'always' | 'unless-stopped'; maxRetries: number }

export interface Healthcheck { test: string[]; intervalMs: number; timeoutMs: number; retries: number; startPeriodMs: number }

/** A request to create a container, already parsed from flags or a compose file. */
export interface CreateRequest {
  image: string;
  name?: string;
  entrypoint?: string[];    // undefined: the image's; []: none
  cmd?: string[];           // undefined or []: the image's
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
  stopTimeout?: number;     // seconds
  healthcheck?: Healthcheck;
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
}

export function emptyResources(): Resources {
  return { blkio: { readBps: [], writeBps: [], readIops: [], writeIops: [] } };
}
