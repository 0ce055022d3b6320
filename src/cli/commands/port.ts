// port CONTAINER [PRIVATE_PORT[/PROTO]]: the published ports, Docker's lines
// ("80/tcp -> 0.0.0.0:8080", or just "0.0.0.0:8080" for one port asked by number).
import type { CommandContext } from '../main.js';
import { parseArgs } from '../args.js';
import { out } from '../render.js';
import { invalid, notFound } from '../../common/errors.js';
import { createEngine } from '../../engine/index.js';

export async function portCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [], { command: c.path });
  const [ref, want, ...extra] = p.positionals;
  if (!ref || extra.length > 0)
    throw invalid('cli.bad_args', `"berth ${c.path}" requires 1 or 2 arguments`, `usage: berth ${c.path} CONTAINER [PRIVATE_PORT[/PROTO]]`);
  const engine = createEngine(c.config);
  const ctr = await engine.containers.get(ref);
  const ports = await engine.containers.ports(ctr.id);
  const hostAddr = (b: { hostIp: string; hostPort: number }) => `${b.hostIp || '0.0.0.0'}:${b.hostPort}`;
  if (want === undefined) {
    out(ports.map((b) => `${b.containerPort}/${b.proto} -> ${hostAddr(b)}\n`).join(''));
    return 0;
  }
  const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(want);
  if (!m) throw invalid('port.bad', `invalid port "${want}": expected PORT or PORT/PROTO (tcp, udp)`);
  const hits = ports.filter((b) => b.containerPort === Number(m[1]) && b.proto === (m[2] ?? 'tcp'));
  if (hits.length === 0) throw notFound('port.not_published', `no public port '${m[1]}/${m[2] ?? 'tcp'}' published for ${ref}`);
  out(hits.map((b) => `${hostAddr(b)}\n`).join(''));
  return 0;
}
