// The name files a container on a bridge sees: /etc/hosts with its own name and address, and
// /etc/resolv.conf pointing at its networks' DNS (or the host's resolvers).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../sys/atomic.js';
import type { NetCtx } from './context.js';
import { dnsAvailable } from './dns.js';
import { DEFAULT_NETWORK } from './names.js';
import type { NetworkRecord } from './networks.js';
import type { EndpointRow } from './store.js';
import { containerEndpoints } from './endpoints.js';

function runDir(ctx: NetCtx, containerId: string): string {
  return join(ctx.paths.runroot, 'containers', containerId);
}

/** Docker keeps the host's servers for containers without a DNS server of their own, minus loopback ones. */
function hostResolvConf(): string {
  let text = '';
  try {
    text = readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
  return text
    .split('\n')
    .filter((l) => !/^\s*nameserver\s+(127\.|::1)/.test(l))
    .join('\n');
}

export function hostsFileText(hostname: string, name: string, ip: string | undefined): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  const names = [...new Set([hostname, name])].join(' ');
  lines.push(`${ip ?? '127.0.1.1'}\t${names}`);
  return lines.join('\n') + '\n';
}

export function resolvConfText(gateways: readonly string[], fallback: string): string {
  if (gateways.length === 0) return fallback.endsWith('\n') || fallback === '' ? fallback : `${fallback}\n`;
  return [...new Set(gateways)].map((g) => `nameserver ${g}`).join('\n') + '\n';
}

export function writeNetFiles(
  ctx: NetCtx,
  containerId: string,
  opts: { hostname: string; name: string },
  eps: ReadonlyArray<{ ep: EndpointRow & { ip: string }; net: NetworkRecord }>,
): { hostsFile: string; resolvConf: string } {
  const dir = runDir(ctx, containerId);
  mkdirSync(dir, { recursive: true });
  const hostsFile = join(dir, 'hosts');
  const resolvConf = join(dir, 'resolv.conf');
  writeFileAtomic(hostsFile, hostsFileText(opts.hostname, opts.name, eps[0]?.ep.ip));
  // The DNS server listens on each network's gateway (dns.ts); the first network's comes first.
  writeFileAtomic(resolvConf,
    resolvConfText(dnsAvailable() ? eps.filter((e) => e.net.name !== DEFAULT_NETWORK).map((e) => e.net.gateway) : [], hostResolvConf()));
  return { hostsFile, resolvConf };
}

/**
 * For a running container whose networks changed: resolv.conf is bind-mounted, so it is
 * rewritten in place (same inode; a renamed file would not be seen through the mount).
 */
export function rewriteResolvConf(ctx: NetCtx, containerId: string): void {
  const path = join(runDir(ctx, containerId), 'resolv.conf');
  if (!existsSync(path)) return;
  const gateways = containerEndpoints(ctx, containerId).filter((e) => e.ip !== null && e.network !== DEFAULT_NETWORK).map((e) => e.gateway);
  writeFileSync(path, resolvConfText(dnsAvailable() ? gateways : [], hostResolvConf()));
}
