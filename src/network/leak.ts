// What berth has made in the kernel, for the test suite's leak check and for reconcile.
import { readdirSync, readFileSync } from 'node:fs';
import { run } from '../sys/exec.js';
import { listLinks, listNetns } from './kernel.js';
import { listPortChains } from './nft.js';

export interface BerthKernelObjects {
  /** Bridges and host-side veths ("berth…"). */
  links: string[];
  netns: string[];
  /** nftables tables, as "inet berth". */
  nftTables: string[];
  /** Per-container DNAT chains in berth's table ("ctr-<12 hex>"). */
  portChains: string[];
  /** Live aardvark-dns servers started by berth (any root), by pid. */
  dnsServers: number[];
}

export function listBerthKernelObjects(): BerthKernelObjects {
  const links = listLinks('').filter((l) => /berth/i.test(l)).sort();
  const netns = listNetns().filter((n) => /berth/i.test(n)).sort();
  const r = run('nft', ['list', 'tables'], { allowFail: true });
  const nftTables = r.stdout
    .split('\n')
    .map((l) => l.replace(/^table\s+/, '').trim())
    .filter((t) => /berth/i.test(t))
    .sort();
  const portChains = nftTables.includes('inet berth') ? listPortChains().sort() : [];
  return { links, netns, nftTables, portChains, dnsServers: berthDnsServers() };
}

function berthDnsServers(): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!cmd[0]?.endsWith('aardvark-dns') || !cmd.some((a) => a.endsWith('/network/aardvark'))) continue;
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /, '')[0];
      if (state !== 'Z') out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out.sort((a, b) => a - b);
}
