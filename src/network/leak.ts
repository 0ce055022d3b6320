// What berth has made in the kernel, for the test suite's leak check and for reconcile.
import { run } from '../sys/exec.js';
import { listLinks, listNetns } from './kernel.js';

export interface BerthKernelObjects {
  links: string[];
  netns: string[];
  nftTables: string[];
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
  return { links, netns, nftTables };
}
