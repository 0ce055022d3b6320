// --add-host NAME:IP (and Docker's newer NAME=IP): lines added to the container's /etc/hosts.
// Pure; the CLI and the API parse with it, start writes the lines.
import { nodeNet } from '../common/lazy.js';
import { invalid } from '../common/errors.js';

export interface ExtraHost {
  host: string;
  ip: string;
}

export function parseExtraHost(text: string): ExtraHost {
  const m = /^([^:=\s]+)[:=](.+)$/.exec(text);
  const bad = (why: string) => invalid('add_host.bad', `invalid argument "${text}" for "--add-host" flag: ${why}`);
  if (!m) throw bad('bad format for add-host: ' + text);
  const host = m[1]!;
  const ip = m[2]!.replace(/^\[(.*)\]$/, '$1');
  if (ip === 'host-gateway') throw bad('host-gateway is not supported by berth: give the address');
  if (nodeNet().isIP(ip) === 0) throw bad(`invalid IP address in add-host: "${ip}"`);
  if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) throw bad(`invalid host name in add-host: "${host}"`);
  return { host, ip };
}

/** What /etc/hosts gains: one line a host, in the order given, as Docker appends them. */
export function extraHostLines(hosts: readonly ExtraHost[]): string {
  return hosts.map((h) => `${h.ip}\t${h.host}\n`).join('');
}
