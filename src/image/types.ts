// The shapes image/ hands the rest of berth. The OCI types follow the image-spec field names.
import type { ImageStore, LayerUnpacker } from './records.js';
export type { ImageStore, LayerUnpacker } from './records.js';

/** The "config" object inside an OCI image config blob (Docker's field names). */
export interface OciContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object> | null;
  Env?: string[] | null;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  Healthcheck?: HealthcheckConfig | null;
}

export interface HealthcheckConfig {
  /** ["NONE"], ["CMD", args...] or ["CMD-SHELL", command]. */
  Test?: string[];
  /** Durations in nanoseconds, as Docker stores them. */
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}

/** An OCI image config blob. */
export interface OciImage {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  config?: OciContainerConfig;
  rootfs: { type: string; diff_ids: string[] };
  history?: OciHistory[];
}

/** One entry of an image config's history (OCI image spec, config.md). */
export interface OciHistory {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageRecord {
  /** "sha256:<hex>" of the config blob, as Docker's image id. */
  id: string;
  manifestDigest: string;
  config: OciImage;
  /** Layer diff ids, bottom first. */
  layers: string[];
  /** Unpacked bytes of all layers. */
  size: number;
  /** RFC 3339. */
  created: string;
  /** Stored names, e.g. ["localhost/busybox:latest"]; empty for a dangling image. */
  repoTags: string[];
}

/** One line of `images`: an image under one of its tags ("<none>" for dangling images). */
export interface ImageSummary {
  repository: string;
  tag: string;
  id: string;
  created: string;
  size: number;
}

/** The image's run defaults with Docker's defaults filled in; what the engine builds a container from. */
export interface ImageConfig {
  Env: string[];
  Entrypoint: string[];
  Cmd: string[];
  WorkingDir: string;
  User: string;
  /** "80/tcp", "53/udp". */
  ExposedPorts: string[];
  Labels: Record<string, string>;
  StopSignal: string | undefined;
  Healthcheck: HealthcheckConfig | undefined;
  Volumes: string[];
}

/** What every image operation needs, handed in by the engine. */
export interface ImageContext {
  store: ImageStore;
  /** The berth root: blobs/ and layers/ live under it. */
  root: string;
  layers: LayerUnpacker;
}

/** `docker image inspect`'s shape, the fields berth knows. */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Created: string;
  Author: string;
  Architecture: string;
  Os: string;
  Size: number;
  Config: {
    User: string;
    Env: string[];
    Cmd: string[];
    Entrypoint: string[];
    WorkingDir: string;
    ExposedPorts: Record<string, object>;
    Volumes: Record<string, object>;
    Labels: Record<string, string>;
    StopSignal: string | undefined;
    Healthcheck: HealthcheckConfig | undefined;
  };
  RootFS: { Type: 'layers'; Layers: string[] };
}
