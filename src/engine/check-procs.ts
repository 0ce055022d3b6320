// `system check`'s processes of a root that nothing of record accounts for: conmons, health
// runners and DNS servers (engine/check.ts runs it with the other scans).
import { listProcesses, mountNamespace } from '../sys/proc.js';
import { getHealth } from '../state/health.js';
import { listNetworks } from '../network/networks.js';
import { DEFAULT_NETWORK } from '../network/names.js';
import { dnsConfigDir, dnsPid, stopDns } from '../network/dns.js';
import { join } from 'node:path';
import { containerDir, containerRunDir, type EngineContext } from './context.js';
import { hostOf } from './host.js';
import { networkContext } from './parts.js';
import { HEX64, type Item, type Scope } from './check-model.js';

export function scanProcesses(ctx: EngineContext, scope: Scope): Item[] {
  const items: Item[] = [];
  // Only processes whose paths mean what ours do: berth in a container has its own root at the
  // same path, and its conmons and name servers are none of this root's.
  const own = mountNamespace('self');
  const procs = listProcesses().filter((p) => mountNamespace(p.pid) === own);
  const conmonOf = new Map([...scope.records.values()].filter((c) => scope.running.has(c.id)).map((c) => [c.id, c.conmonPid]));
  for (const p of procs) {
    if (!p.cmdline[0]?.endsWith('conmon')) continue;
    const b = p.cmdline.indexOf('-b');
    const bundle = b >= 0 ? p.cmdline[b + 1] : undefined;
    const id = bundle?.split('/').pop();
    if (bundle === undefined || id === undefined || bundle !== containerDir(ctx, id)) continue;
    if (conmonOf.get(id) === p.pid) {
      // Held still on a full disk by a berth that died before letting it go (quiet-writers.ts).
      if (p.state === 'T')
        items.push({ kind: 'conmon', object: `pid ${p.pid} (container ${id.slice(0, 12)})`, problem: 'stopped (SIGSTOP) by a berth that ended',
          action: 'let it go (SIGCONT)', lockId: id, repair: () => hostOf(ctx).signal(p.pid, 'SIGCONT') });
      continue;
    }
    items.push({ kind: 'conmon', object: `pid ${p.pid} (container ${id.slice(0, 12)})`, problem: 'its container is not running', action: 'kill it', lockId: id,
      repair: () => hostOf(ctx).signal(p.pid, 'SIGKILL') });
  }
  for (const p of procs) {
    // [node, script, --root ROOT, --runroot RUNROOT, container, health-runner, ID, RUN] (health-lifecycle.ts)
    const at = p.cmdline.indexOf('health-runner');
    if (at < 1 || p.cmdline[at - 1] !== 'container') continue;
    const r = p.cmdline.indexOf('--root');
    if (r < 0 || r > at || p.cmdline[r + 1] !== ctx.paths.root) continue;
    const id = p.cmdline[at + 1] ?? '';
    const runId = p.cmdline[at + 2];
    if (!HEX64.test(id)) continue;
    const c = scope.records.get(id);
    // A runner not yet recorded (runnerPid null) may be one a start is recording right now.
    const recorded = c && scope.running.has(id) ? getHealth(ctx.db, id)?.runnerPid ?? null : undefined;
    if (c && scope.running.has(id) && c.runId === runId && (recorded === null || recorded === p.pid)) continue;
    // Left by a run that ended unseen, or by a record changed under it: it would linger until its
    // next check (an interval may be an hour) and run that check against whatever runs then.
    items.push({ kind: 'health-runner', object: `pid ${p.pid} (container ${id.slice(0, 12)})`, problem: 'not the health runner of a running container',
      action: 'kill it', lockId: id, repair: () => hostOf(ctx).signal(p.pid, 'SIGKILL') });
  }
  for (const p of procs) {
    // Rootless berth's user-mode network: pasta ... --netns RUNROOT/containers/ID/netns (network/usermode.ts).
    if (!p.cmdline[0]?.endsWith('pasta')) continue;
    const ns = p.cmdline[p.cmdline.indexOf('--netns') + 1] ?? '';
    const id = ns.split('/').at(-2) ?? '';
    if (!HEX64.test(id) || ns !== join(containerRunDir(ctx, id), 'netns') || scope.running.has(id)) continue;
    items.push({ kind: 'pasta', object: `pid ${p.pid} (container ${id.slice(0, 12)})`, problem: 'its container is not running', action: 'kill it', lockId: id,
      repair: () => hostOf(ctx).signal(p.pid, 'SIGKILL') });
  }
  const dnsDir = dnsConfigDir(networkContext(ctx));
  const current = dnsPid(networkContext(ctx));
  for (const p of procs) {
    if (!p.cmdline[0]?.endsWith('aardvark-dns') || !p.cmdline.includes(dnsDir) || p.pid === current) continue;
    items.push({ kind: 'dns', object: `aardvark-dns pid ${p.pid}`, problem: 'not the DNS server of record (it may hold a gateway address)', action: 'kill it',
      repair: () => hostOf(ctx).signal(p.pid, 'SIGKILL') });
  }
  // refreshDns stops the server once no container on a network with a name service runs: one
  // still of record after that is a leftover of a run that ended unseen.
  if (current !== undefined) {
    const net = networkContext(ctx);
    const needed = listNetworks(net).some((n) => n.name !== DEFAULT_NETWORK && net.store.endpointsOn(n.name).some((ep) => scope.running.has(ep.container_id)));
    if (!needed)
      items.push({ kind: 'dns', object: `aardvark-dns pid ${current}`, problem: "no running container needs this root's DNS server", action: 'stop it',
        repair: () => stopDns(net) });
  }
  return items;
}
