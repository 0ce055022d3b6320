// info: what this berth root holds and what it runs on, in the names of Docker's `info` JSON.
import { readFileSync } from 'node:fs';
import { arch, cpus, hostname, release, totalmem } from 'node:os';
import { listImages } from '../image/images.js';
import { chooseRuntime, findProgram } from '../runtime/select.js';
import { cgroupMode } from '../sys/cgroups.js';
import type { EngineContext } from './context.js';
import { reconcileAll } from './container-finalize.js';
import { imageContext } from './parts.js';

function osName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m) return m[1]!;
  } catch { /* no os-release */ }
  return 'Linux';
}

const ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l', ia32: 'i686' };

export function systemInfo(ctx: EngineContext): Record<string, unknown> {
  const ctrs = reconcileAll(ctx);
  const count = (s: string) => ctrs.filter((c) => c.status === s).length;
  const mode = cgroupMode();
  const dirs = (process.env.PATH ?? '').split(':').filter((d) => d.startsWith('/'));
  const runtimes = Object.fromEntries((['runc', 'crun'] as const).flatMap((n) => {
    const p = findProgram(n, [...dirs, '/usr/sbin', '/usr/bin', '/usr/local/bin']);
    return p ? [[n, { path: p }]] : [];
  }));
  let defaultRuntime = '';
  try {
    defaultRuntime = chooseRuntime().name;
  } catch { /* none installed: info still answers */ }
  return {
    ID: '',
    Containers: ctrs.length,
    ContainersRunning: count('running'),
    ContainersPaused: count('paused'),
    ContainersStopped: ctrs.length - count('running') - count('paused'),
    Images: listImages(imageContext(ctx).store, {}).length,
    Driver: 'overlay',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: mode === 'v2' ? '2' : '1',
    KernelVersion: release(),
    OperatingSystem: osName(),
    OSType: 'linux',
    Architecture: ARCH[arch()] ?? arch(),
    NCPU: cpus().length,
    MemTotal: totalmem(),
    Name: hostname(),
    DockerRootDir: ctx.paths.root,
    RunRoot: ctx.paths.runroot,
    Runtimes: runtimes,
    DefaultRuntime: defaultRuntime,
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'none'] },
  };
}
