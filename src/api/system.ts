// /_ping, /version and /info: what clients read first to learn whom they talk to.
import { arch, cpus, hostname, release, totalmem } from 'node:os';
import { existsSync } from 'node:fs';
import { sendJson } from './http.js';
import { API_VERSION, MIN_API_VERSION, type Call, type Route } from './router.js';

export const BERTH_VERSION = '0.1.0';

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };
const UNAME: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };

async function ping(c: Call): Promise<void> {
  const body = c.req.method === 'HEAD' ? '' : 'OK';
  c.res.writeHead(200, {
    'Api-Version': API_VERSION,
    Ostype: 'linux',
    'Builder-Version': '1',
    'Docker-Experimental': 'false',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
  });
  c.res.end(body);
}

async function version(c: Call): Promise<void> {
  const details = { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: GOARCH[arch()] ?? arch(), KernelVersion: release(),
    Experimental: 'false' };
  sendJson(c.res, 200, {
    Platform: { Name: 'berth' },
    Components: [{ Name: 'Engine', Version: BERTH_VERSION, Details: details }],
    Version: BERTH_VERSION,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: '',
    GoVersion: `node ${process.version}`,
    Os: 'linux',
    Arch: GOARCH[arch()] ?? arch(),
    KernelVersion: release(),
    BuildTime: '',
  });
}

async function info(c: Call): Promise<void> {
  const cs = await c.engine.containers.list({ reconcile: true });
  const images = await c.engine.images.list();
  const count = (s: string) => cs.filter((x) => x.status === s).length;
  sendJson(c.res, 200, {
    ID: '',
    Containers: cs.length,
    ContainersRunning: count('running'),
    ContainersPaused: 0,
    ContainersStopped: cs.length - count('running'),
    Images: new Set(images.map((i) => i.id)).size,
    Driver: 'overlay',
    DriverStatus: [['Backing Filesystem', 'overlayfs']],
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: ['k8s-file'] },
    MemoryLimit: true,
    SwapLimit: false,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    Debug: c.engine.config.debug,
    NFd: 0,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'k8s-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1',
    KernelVersion: release(),
    OperatingSystem: 'berth',
    OSType: 'linux',
    Architecture: UNAME[arch()] ?? arch(),
    NCPU: cpus().length,
    MemTotal: totalmem(),
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: ['127.0.0.0/8'], Mirrors: [] },
    DockerRootDir: c.engine.config.paths.root,
    HttpProxy: '',
    HttpsProxy: '',
    NoProxy: '',
    Name: hostname(),
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: BERTH_VERSION,
    Runtimes: { runc: { path: 'runc' }, crun: { path: 'crun' } },
    DefaultRuntime: 'runc',
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: true,
    Isolation: '',
    InitBinary: '',
    SecurityOptions: ['name=seccomp,profile=builtin'],
    Warnings: [],
  });
}

export const systemRoutes: Route[] = [
  ['GET', '/_ping', ping],
  ['HEAD', '/_ping', ping],
  ['GET', '/version', version],
  ['GET', '/info', info],
];
