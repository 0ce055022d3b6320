// Rootless berth's default network: user-mode networking by pasta (Debian's passt), as Podman 5
// does. An ordinary user may make no bridge or veth on the host, so the container's own network
// namespace (made by runc, owned by the user's namespace) gets a tap device that pasta carries to
// the host's sockets: outgoing connections become the user's own, and each `-p` becomes a socket
// pasta listens on, on the host's address given (127.0.0.1 for `-p 127.0.0.1:8080:80`).
//
// Files of one run, in its run directory: `netns`, the namespace, made before the runtime runs
// (by `unshare --net=FILE`, in the user's namespaces, so the user's namespace owns it and runc
// may mount sysfs in it) and bound there so that pasta opens a path (it drops its capabilities
// first, and /proc/PID/ns/net is then refused to it); `pasta.pid`; the hosts and resolv.conf.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../sys/exec.js';
import { unmount, isMounted } from '../sys/mount.js';
import { pidAlive } from '../sys/proc.js';
import { sendSignal } from '../sys/signal.js';
import { containerPorts, type PortBinding } from './publish.js';
import type { NetCtx } from './context.js';

export interface UserModeSetup {
  netnsPath: string;
  hostsFile: string;
  resolvConf: string;
}

/** pasta's options for these ports; exported so that their shape is pinned by a unit test. */
export function pastaArgs(nsFile: string, pidFile: string, ports: readonly PortBinding[]): string[] {
  // As Podman: no ports of the host forwarded into the container (-T, -U none), and the gateway
  // address is not the host's loopback (--no-map-gw), so a container cannot reach the host's
  // loopback-only services.
  const args = ['--config-net', '--quiet', '--no-map-gw', '-T', 'none', '-U', 'none', '--pid', pidFile];
  for (const proto of ['tcp', 'udp'] as const) {
    const mine = ports.filter((p) => p.proto === proto);
    const flag = proto === 'tcp' ? '-t' : '-u';
    if (mine.length === 0) args.push(flag, 'none');
    for (const p of mine) {
      const addr = p.hostIp === '' || p.hostIp === '0.0.0.0' ? '' : `${p.hostIp}/`;
      args.push(flag, `${addr}${p.hostPort}:${p.containerPort}`);
    }
  }
  args.push('--netns', nsFile);
  return args;
}

/** A network namespace for the container, connected by pasta, with its published ports. */
export function setUpUserModeNetwork(ctx: NetCtx, containerId: string, runDir: string, o: { hostname: string }): UserModeSetup {
  tearDownUserModeNetwork(runDir);
  const nsFile = join(runDir, 'netns');
  writeFileSync(nsFile, '', { mode: 0o600 });
  run('unshare', [`--net=${nsFile}`, 'true']);
  // pasta daemonises once the tap is up and the ports are bound: its exit status says whether
  // they were.
  run('pasta', pastaArgs(nsFile, join(runDir, 'pasta.pid'), containerPorts(ctx, containerId)));
  const hostsFile = join(runDir, 'hosts');
  const resolvConf = join(runDir, 'resolv.conf');
  writeFileSync(hostsFile, `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t${o.hostname}\n`);
  // pasta forwards DNS to the host's resolver, so the host's file serves as it is.
  let resolv = '';
  try {
    resolv = readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    // a host without one: the container has none either
  }
  writeFileSync(resolvConf, resolv);
  return { netnsPath: nsFile, hostsFile, resolvConf };
}

function pastaPid(runDir: string, nsFile: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(join(runDir, 'pasta.pid'), 'utf8').trim(), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) return undefined;
  try {
    // A reused pid is not our pasta: it must name this run's namespace file.
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv[0]?.endsWith('pasta') && argv.includes(nsFile) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Ends this run's pasta and releases its namespace file; nothing when there is none. */
export function tearDownUserModeNetwork(runDir: string): void {
  const nsFile = join(runDir, 'netns');
  const pid = pastaPid(runDir, nsFile);
  if (pid !== undefined) sendSignal(pid, 'SIGTERM');
  // Lazily: pasta may hold it for the instant before it exits.
  if (isMounted(nsFile)) unmount(nsFile, { lazy: true });
  rmSync(nsFile, { force: true });
  rmSync(join(runDir, 'pasta.pid'), { force: true });
}
