// The shapes of the instances file's rows that a part under the engine works with: written by
// state/, which moves them in and out, and read by image/ and network/ through the stores they
// declare. One declaration here, so the two sides cannot drift apart.

/** A networks row, as the table holds it. */
export interface NetworkRow {
  name: string;
  id: string;
  bridge: string;
  subnet: string;
  gateway: string;
  ip_range: string | null;
  /** 0 or 1. */
  internal: number;
  /** JSON object of strings. */
  labels: string;
  created_at: string;
}

/** An endpoints row: one per (container, network). */
export interface EndpointRow {
  container_id: string;
  network: string;
  ifname: string;
  /** null while a dynamic address is released (the container is stopped). */
  ip: string | null;
  /** 0 or 1. */
  static_ip: number;
  mac: string | null;
  /** JSON array of strings. */
  aliases: string;
}

/** A ports row: a host port published to a container's port. */
export interface PortRow {
  container_id: string;
  host_ip: string;
  host_port: number;
  container_port: number;
  proto: string;
}

/** An images row. `config` is the config blob's JSON text; image/ parses it. */
export interface ImageRow {
  /** "sha256:<hex>" of the config blob. */
  id: string;
  manifestDigest: string;
  config: string;
  /** Diff ids, bottom first. */
  layers: string[];
  size: number;
  created: string;
}

/** id, manifest digest and layers: what garbage collection and disk usage look at. */
export interface ImageRefs {
  id: string;
  manifestDigest: string;
  layers: string[];
}

/** A layers row. */
export interface LayerRow {
  diffId: string;
  blobDigest: string;
  /** Unpacked bytes. */
  size: number;
}
