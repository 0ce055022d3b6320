// The name files a container on a bridge sees: /etc/hosts with its own name and address, and
// /etc/resolv.conf pointing at its networks' DNS (or the host's resolvers).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** --dns, --dns-search and --dns-option as given; each empty list keeps what berth would write. */
export interface DnsConfig {
  servers: string[];
  search: string[];
  options: string[];
}

const MAXNS = 3; // glibc reads no more nameserver lines than this

/**
 * Docker's rules, with aardvark-dns standing for its embedded server. Without one (the default
 * network): the user's servers, search domains and options replace the host's, each separately.
 * With one (a user-defined network): aardvark stays first, so container names still resolve; the
 * user's servers follow it, since aardvark 1.4 cannot take per-container upstreams as Docker's
 * embedded server does: a name aardvark's own upstreams cannot answer (SERVFAIL) goes on to them.
 */
export function resolvConfText(gateways: readonly string[], fallback: string, dns?: DnsConfig): string {
  const host = fallback.split('\n').filter((l) => l.trim() !== '');
  const kind = (k: string) => host.filter((l) => new RegExp(`^\\s*${k}\\s`).test(l));
  const servers = gateways.length > 0
    ? [...new Set(gateways), ...(dns?.servers ?? [])].slice(0, MAXNS).map((g) => `nameserver ${g}`)
    : dns && dns.servers.length > 0
    ? dns.servers.map((g) => `nameserver ${g}`)
    : kind('nameserver');
  const search = dns && dns.search.length > 0 ? (dns.search.includes('.') ? [] : [`search ${dns.search.join(' ')}`])
    : gateways.length > 0 ? [] : kind('(search|domain)');
  const options = dns && dns.options.length > 0 ? [`options ${dns.options.join(' ')}`] : gateways.length > 0 ? [] : kind('options');
  if (!dns && gateways.length === 0) return fallback.endsWith('\n') || fallback === '' ? fallback : `${fallback}\n`;
  const lines = [...search, ...servers, ...options];
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

const dnsFile = (dir: string) => join(dir, 'dns.json');

function readDns(dir: string): DnsConfig | undefined {
  try {
    return JSON.parse(readFileSync(dnsFile(dir), 'utf8')) as DnsConfig;
  } catch {
    return undefined;
  }
}

export function writeNetFiles(
  ctx: NetCtx,
  containerId: string,
  opts: { hostname: string; name: string; dns?: DnsConfig },
  eps: ReadonlyArray<{ ep: EndpointRow & { ip: string }; net: NetworkRecord }>,
): { hostsFile: string; resolvConf: string } {
  const dir = runDir(ctx, containerId);
  mkdirSync(dir, { recursive: true });
  const hostsFile = join(dir, 'hosts');
  const resolvConf = join(dir, 'resolv.conf');
  // In place, not by rename: the runtime may hold them bound already (a start that makes its
  // network while the runtime creates, or in the runtime's own namespace), and a bound file is
  // seen through its inode. They are written again at every start, so a torn one does not last.
  writeFileSync(hostsFile, hostsFileText(opts.hostname, opts.name, eps[0]?.ep.ip));
  // The DNS server listens on each network's gateway (dns.ts); the first network's comes first.
  // Kept beside it: a network connected later rewrites resolv.conf with the same choices.
  if (opts.dns) writeFileAtomic(dnsFile(dir), JSON.stringify(opts.dns));
  else rmSync(dnsFile(dir), { force: true });
  writeFileSync(resolvConf,
    resolvConfText(dnsAvailable() ? eps.filter((e) => e.net.name !== DEFAULT_NETWORK).map((e) => e.net.gateway) : [], hostResolvConf(), opts.dns));
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
  writeFileSync(path, resolvConfText(dnsAvailable() ? gateways : [], hostResolvConf(), readDns(runDir(ctx, containerId))));
}
