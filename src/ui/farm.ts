// The web farm as the Stacks page draws it, proxy → servers, from what berth knows of a compose
// project and nothing else (it does not read a proxy's configuration):
//  - a front is a service whose containers publish a host port (the proxy of examples/webfarm);
//  - it reaches every service of the project that publishes no port and shares a network with it
//    (the servers); the arrow means "can reach on that network", not "sends its traffic there".
// A project with no published port has no front, and nothing is drawn for it.

export interface FarmView {
  front: string;
  ports: string[];
  backends: { service: string; networks: string[] }[];
}

/** `ports`: the host ports a service's containers publish now; `networks`: those they are attached to. */
export function farmOf(services: readonly { name: string; ports: readonly string[]; networks: readonly string[] }[]): FarmView[] {
  const fronts = services.filter((s) => s.ports.length > 0);
  return fronts.map((f) => ({
    front: f.name,
    ports: [...f.ports],
    backends: services
      .filter((s) => s.ports.length === 0)
      .map((s) => ({ service: s.name, networks: s.networks.filter((n) => f.networks.includes(n)) }))
      .filter((b) => b.networks.length > 0),
  }));
}
