// Containers of the instances file seen as services of one project, so that kube generate CTR...
// writes them as it writes compose services. Pure: the caller looks the containers up.
import type { ComposeProject, NetworkConfig, ServiceConfig } from '../compose/model.js';
import { serviceDefaults } from '../compose/model.js';
import type { Container } from '../engine/index.js';

export interface NetworkInfo {
  name: string;
  subnet?: string | null;
  internal: boolean;
}

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface FromContainers {
  project: ComposeProject;
  readOnly: Set<string>;
  warnings: string[];
}

export function containersToProject(ctrs: readonly Container[], nets: readonly NetworkInfo[]): FromContainers {
  const warnings: string[] = [];
  const readOnly = new Set<string>();
  const networks = new Map<string, NetworkConfig>();
  const services = ctrs.map((c): ServiceConfig => {
    const s = c.spec;
    if (s.networkMode === 'host')
      warnings.push(`container ${c.name}: host networking: no Kubernetes equivalent written (hostNetwork is the cluster's, not this host's)`);
    if (s.networkMode === 'none') warnings.push(`container ${c.name}: no network: Kubernetes pods always have one`);
    if (s.networkMode === 'container') warnings.push(`container ${c.name}: shares another container's network: written with a network of its own`);
    if (s.readOnly) readOnly.add(c.name);
    for (const a of s.networks) {
      const n = nets.find((x) => x.name === a.network);
      if (!networks.has(a.network)) {
        networks.set(a.network, {
          key: a.network,
          name: a.network,
          external: true,
          internal: n?.internal ?? false,
          labels: {},
          ...(n?.subnet ? { subnet: n.subnet } : {}),
        });
      }
    }
    const env: Record<string, string> = {};
    for (const e of s.env) {
      if (e === DEFAULT_PATH) continue;
      const eq = e.indexOf('=');
      env[eq < 0 ? e : e.slice(0, eq)] = eq < 0 ? '' : e.slice(eq + 1);
    }
    return {
      ...serviceDefaults(),
      readOnly: s.readOnly,
      networkMode: s.networkMode === 'container' ? 'bridge' : s.networkMode,
      name: c.name,
      image: c.imageRef,
      // What the container runs, in full: the image in the cluster may be a later build.
      ...(s.entrypoint.length > 0 ? { entrypoint: s.entrypoint } : {}),
      ...(s.cmd.length > 0 ? { command: s.cmd } : {}),
      environment: env,
      ...(s.workdir && s.workdir !== '/' ? { workingDir: s.workdir } : {}),
      ...(s.user && s.user !== '0' ? { user: s.user } : {}),
      labels: {},
      ports: s.ports,
      // The default network "berth" gives no names; a user network is what others resolve on.
      networks: s.networks.filter((a) => a.network !== 'berth').map((a) => ({
        key: a.network,
        aliases: (a.aliases ?? []).filter((x) => x !== c.name),
        ...(a.ip !== undefined ? { ipv4Address: a.ip } : {}),
      })),
      volumes: s.volumes.map((v) => ({ type: v.named ? 'volume' as const : 'bind' as const, source: v.source, target: v.destination, readOnly: v.readonly })),
      restart: s.restart.name === 'on-failure' && s.restart.maxRetries > 0 ? `on-failure:${s.restart.maxRetries}` : s.restart.name,
      dependsOn: [],
      replicas: 1,
      resources: structuredClone(s.resources),
      ...(s.healthcheck ? { healthcheck: { ...s.healthcheck } } : {}),
      stopGracePeriodSec: s.stopTimeout,
    };
  });
  networks.delete('berth');
  return {
    project: { name: '', workingDir: '/', configFile: '', configFiles: [], services, networks: [...networks.values()], volumes: [], secrets: [], configs: [] },
    readOnly,
    warnings,
  };
}
