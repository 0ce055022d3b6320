// Network verbs: the virtual switches containers attach to.
import type { CommandContext } from '../main.js';
import { parseArgs, bool, str, list } from '../args.js';
import { FORMAT_HELP, INSPECT_FORMAT, out, printDocs, table } from '../render.js';
import { invalid } from '../../common/errors.js';
import { shortId } from '../../common/ids.js';
import { createEngine } from '../../engine/index.js';
import { eachRef } from '../each-ref.js';

const HELP = { long: 'help', type: 'boolean' } as const;

function labelsOf(items: string[]): Record<string, string> {
  const l: Record<string, string> = {};
  for (const kv of items) {
    const i = kv.indexOf('=');
    l[i < 0 ? kv : kv.slice(0, i)] = i < 0 ? '' : kv.slice(i + 1);
  }
  return l;
}

export async function createCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [
    { long: 'subnet', type: 'string' },
    { long: 'gateway', type: 'string' },
    { long: 'ip-range', type: 'string' },
    { long: 'internal', type: 'boolean' },
    { long: 'label', type: 'string', multiple: true },
    { long: 'driver', short: 'd', type: 'string' },
    HELP,
  ], { command: c.path });
  const name = p.positionals[0];
  if (!name)
    throw invalid('cli.missing_argument', '"berth network create" requires a name',
      'usage: berth network create [--subnet CIDR] [--gateway IP] [--internal] NAME');
  const driver = str(p.values.driver);
  if (driver !== undefined && driver !== 'bridge') throw invalid('network.driver', `unsupported network driver "${driver}": berth networks are bridges`);
  const engine = createEngine(c.config);
  const subnet = str(p.values.subnet);
  const gateway = str(p.values.gateway);
  const ipRange = str(p.values['ip-range']);
  const n = await engine.networks.create({
    name,
    internal: bool(p.values.internal),
    labels: labelsOf(list(p.values.label)),
    ...(subnet ? { subnet } : {}),
    ...(gateway ? { gateway } : {}),
    ...(ipRange ? { ipRange } : {}),
  });
  out(`${n.id}\n`);
  return 0;
}

/** network ls --format's fields: Docker's, and the subnet and gateway berth's table shows. */
const NETWORK_COLUMNS = { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv4: 'IPV4', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS',
  CreatedAt: 'CREATED AT', Subnet: 'SUBNET', Gateway: 'GATEWAY' };

export async function lsCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'quiet', short: 'q', type: 'boolean' }, { long: 'format', type: 'string',
    description: `${FORMAT_HELP}: '{{.Name}}', 'table {{.ID}}\\t{{.Name}}', '{{.Label "k"}}'` }, { long: 'filter', type: 'string', multiple: true }, {
    long: 'no-trunc',
    type: 'boolean',
    description: 'do not truncate the output',
  }, HELP], {
    command: c.path,
  });
  const engine = createEngine(c.config);
  let nets = await engine.networks.list();
  for (const f of list(p.values.filter)) {
    const [k, v = ''] = f.split('=', 2) as [string, string?];
    if (k === 'label') {
      const [lk, lv] = v.split('=', 2) as [string, string?];
      nets = nets.filter((n) => lk in n.labels && (lv === undefined || n.labels[lk] === lv));
    } else if (k === 'name') nets = nets.filter((n) => n.name.includes(v));
    else throw invalid('cli.bad_filter', `unsupported --filter "${f}": berth knows label and name`);
  }
  const id = (n: { id: string }) => (bool(p.values['no-trunc']) ? n.id : shortId(n.id));
  // Docker prints ids here; names and id prefixes both work wherever a network is named.
  if (bool(p.values.quiet)) {
    out(nets.map((n) => `${id(n)}\n`).join(''));
    return 0;
  }
  const format = str(p.values.format) ?? 'table';
  if (format !== 'table') {
    const { formatList, goTime, labelFields } = await import('../list-format.js');
    out(formatList(format, NETWORK_COLUMNS, nets.map((n) => ({
      ID: id(n),
      Name: n.name,
      Driver: 'bridge',
      Scope: 'local',
      IPv4: 'true',
      IPv6: 'false',
      Internal: String(n.internal),
      ...labelFields(n.labels),
      CreatedAt: goTime(n.createdAt, true),
      Subnet: n.subnet,
      Gateway: n.gateway,
    })), 'network'));
    return 0;
  }
  out(
    table(['NETWORK ID', 'NAME', 'DRIVER', 'SUBNET', 'GATEWAY', 'INTERNAL'],
      nets.map((n) => [id(n), n.name, 'bridge', n.subnet, n.gateway, n.internal ? 'true' : 'false'])),
  );
  return 0;
}

export async function inspectCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [INSPECT_FORMAT, HELP], { command: c.path });
  if (p.positionals.length === 0) throw invalid('cli.missing_argument', '"berth network inspect" requires at least 1 argument');
  const engine = createEngine(c.config);
  const docs = await Promise.all(p.positionals.map((n) => engine.networks.inspect(n)));
  await printDocs(docs, str(p.values.format));
  return 0;
}

export async function rmCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'force', short: 'f', type: 'boolean' }, HELP], { command: c.path });
  if (p.positionals.length === 0) throw invalid('cli.missing_argument', '"berth network rm" requires at least 1 argument');
  const engine = createEngine(c.config);
  return eachRef(p.positionals, async (n) => {
    await engine.networks.remove(n, { force: bool(p.values.force) });
    return n;
  });
}

export async function pruneCmd(c: CommandContext): Promise<number> {
  parseArgs(c.argv, [{ long: 'force', short: 'f', type: 'boolean' }, HELP], { command: c.path });
  const engine = createEngine(c.config);
  const removed = await engine.networks.prune();
  if (removed.length > 0) out(`Deleted Networks:\n${removed.map((n) => `${n}\n`).join('')}`);
  return 0;
}

export async function connectCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'ip', type: 'string' }, { long: 'alias', type: 'string', multiple: true }, HELP], { command: c.path });
  const [net, ctr] = p.positionals;
  if (!net || !ctr)
    throw invalid('cli.missing_argument', '"berth network connect" requires a network and a container',
      'usage: berth network connect [--ip ADDR] [--alias A] NETWORK CONTAINER');
  const engine = createEngine(c.config);
  const ip = str(p.values.ip);
  const aliases = list(p.values.alias);
  await engine.networks.connect(net, ctr, { ...(ip ? { ip } : {}), ...(aliases.length ? { aliases } : {}) });
  return 0;
}

export async function disconnectCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [{ long: 'force', short: 'f', type: 'boolean' }, HELP], { command: c.path });
  const [net, ctr] = p.positionals;
  if (!net || !ctr) throw invalid('cli.missing_argument', '"berth network disconnect" requires a network and a container');
  const engine = createEngine(c.config);
  await engine.networks.disconnect(net, ctr);
  return 0;
}
