// berth serve: the Docker Engine API on a unix socket (or mutual-TLS TCP) until SIGTERM or
// SIGINT. The only long-running berth process, and an optional one: containers do not depend on
// it, and stopping it touches none of them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext } from '../main.js';
import { parseArgs, str, type OptionDef } from '../args.js';
import { invalid, unavailable } from '../../common/errors.js';
import { createEngine } from '../../engine/index.js';

const FLAGS: OptionDef[] = [
  { long: 'socket', short: 'H', type: 'string', description: 'unix socket to serve on (default /run/berth/berth.sock, or $XDG_RUNTIME_DIR/berth/berth.sock)' },
  { long: 'group', short: 'G', type: 'string', description: 'group owning the socket (mode 0660)' },
  { long: 'tcp', type: 'string', description: 'serve on TCP ADDR:PORT instead: plain on loopback only, else mutual TLS' },
  { long: 'tls-cert', type: 'string', description: "the server's certificate (PEM), for --tcp or --ui" },
  { long: 'tls-key', type: 'string', description: "the server's private key (PEM)" },
  { long: 'tls-client-ca', type: 'string', description: 'CA that client certificates must chain to (--tcp)' },
  { long: 'ui', type: 'string', description: 'also serve the web dashboard on [ADDR:PORT] (default 127.0.0.1:9191)' },
  { long: 'help', type: 'boolean' },
];

// The usage line of a usage error; `--help` prints the flag table (help.ts).
const USAGE = 'Usage: berth serve [--socket PATH] [--group GROUP] | --tcp ADDR:PORT [--tls-*] | --ui [ADDR:PORT]';

export const UI_DEFAULT = '127.0.0.1:9191';

/** "--ui" takes an optional value: "--ui", "--ui ADDR" and "--ui=ADDR" all mean it. */
export function uiArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (a !== '--ui') {
      out.push(a);
      continue;
    }
    const next = argv[i + 1];
    // serve takes no operands, so a word after --ui can only be its address.
    if (next !== undefined && /^[^-]/.test(next)) {
      out.push(`--ui=${next}`);
      i++;
    } else out.push(`--ui=${UI_DEFAULT}`);
  }
  return out;
}

export function defaultSocket(): string {
  if (process.getuid?.() === 0) return '/run/berth/berth.sock';
  return join(process.env.XDG_RUNTIME_DIR || `/run/user/${process.getuid?.() ?? 0}`, 'berth', 'berth.sock');
}

/** "127.0.0.1:2375", "[::1]:2375", "localhost:2375" → host and port; loopback or not. */
export function parseTcp(text: string, flag = '--tcp'): { host: string; port: number; loopback: boolean } {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  if (!m || port < 1 || port > 65535) throw invalid('serve.bad_tcp', `invalid ${flag} "${text}": expected ADDR:PORT`);
  const host = m[1] ?? m[2]!;
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  return { host, port, loopback };
}

function groupId(name: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
    const [n, , gid] = line.split(':');
    if (n === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  throw invalid('serve.bad_group', `unknown group "${name}"`);
}

export async function serveCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(uiArgv(c.argv), FLAGS, { command: c.path });
  if (p.positionals.length > 0) throw invalid('cli.bad_args', `"berth serve" accepts no arguments`, USAGE);
  const tcp = str(p.values.tcp);
  const tlsFlags = ['tls-cert', 'tls-key', 'tls-client-ca'].map((k) => str(p.values[k]));
  const tlsGiven = tlsFlags.filter((x) => x !== undefined).length;
  const ui = str(p.values.ui);
  const uiAddr = ui === undefined ? undefined : parseTcp(ui, '--ui');
  // Without --tcp, a certificate and key are the dashboard's (a browser shows no client certificate).
  const uiTls = uiAddr && !tcp && tlsFlags[0] !== undefined && tlsFlags[1] !== undefined && tlsFlags[2] === undefined;
  if (tlsGiven > 0 && tlsGiven < 3 && !uiTls) {
    throw invalid('serve.tls_incomplete',
      uiAddr ? "the dashboard's TLS needs both --tls-cert and --tls-key" : 'mutual TLS needs all of --tls-cert, --tls-key and --tls-client-ca');
  }
  if (tlsGiven > 0 && !tcp && !uiTls) throw invalid('serve.tls_without_tcp', 'the --tls-* flags apply to --tcp');
  if (uiAddr && !uiAddr.loopback && !uiTls && tlsGiven !== 3) {
    throw invalid('serve.plain_ui', `refusing to serve the dashboard without TLS on ${ui}: anyone who can reach it could watch the login`,
      'add --tls-cert and --tls-key, or listen on 127.0.0.1');
  }
  if (tcp && str(p.values.socket)) throw invalid('serve.both', 'choose one of --socket and --tcp');
  const addr = tcp ? parseTcp(tcp) : undefined;
  if (addr && !addr.loopback && tlsGiven === 0) {
    throw invalid('serve.plain_tcp', `refusing to serve the API without TLS on ${tcp}: anyone who can reach it would be root here`,
      'add --tls-cert, --tls-key and --tls-client-ca, or listen on 127.0.0.1');
  }
  const read = (f: string) => {
    try {
      return readFileSync(f);
    } catch (e) {
      throw invalid('serve.tls_file', `reading ${f}: ${(e as Error).message}`);
    }
  };
  const tls = tlsGiven === 3 && tcp ? { cert: read(tlsFlags[0]!), key: read(tlsFlags[1]!), ca: read(tlsFlags[2]!) } : undefined;
  const uiKeys = uiTls ? { cert: read(tlsFlags[0]!), key: read(tlsFlags[1]!) } : tls ? { cert: tls.cert, key: tls.key } : undefined;
  const group = str(p.values.group);
  const gid = group === undefined ? undefined : groupId(group);

  const { createApiServer, listenUnix, listenTcp, listenActivated } = await import('../../api/server.js');
  const engine = createEngine(c.config);
  const log = (l: string) => {
    process.stderr.write(`berth serve: ${l}\n`);
  };
  const api = createApiServer({ engine, log, debug: c.config.debug, ...(tls ? { tls } : {}) });
  const socket = str(p.values.socket) ?? defaultSocket();
  let where: string;
  if (addr) {
    await listenTcp(api, addr.host, addr.port);
    where = `${tls ? 'tcp+tls' : 'tcp'}://${tcp}`;
  } else if (!str(p.values.socket) && await listenActivated(api)) {
    where = 'the socket systemd passed';
  } else {
    await listenUnix(api, socket, gid === undefined ? {} : { gid });
    where = `unix://${socket}`;
  }
  log(`listening on ${where}`);
  let uiServer: { close(): Promise<void> } | undefined;
  if (uiAddr) {
    const { createUiServer, listenUi } = await import('../../ui/server.js');
    const u = createUiServer({ engine, host: uiAddr.host, port: uiAddr.port, loopback: uiAddr.loopback, log, debug: c.config.debug,
      ...(uiKeys ? { tls: uiKeys } : {}) });
    try {
      await listenUi(u, uiAddr.host, uiAddr.port);
    } catch (e) {
      await api.close();
      throw unavailable('serve.ui_listen', `cannot listen on ${ui}: ${(e as Error).message}`);
    }
    uiServer = u;
    // Printed on stdout, the one line a user copies, as Jupyter does.
    process.stdout.write(`Dashboard: ${u.loginUrl}\n`);
    log(`dashboard on ${u.loginUrl.replace(/\?token=.*/, '')} (the login token is on stdout)`);
  }

  await new Promise<void>((resolve) => {
    const stop = (sig: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      log(`${sig}: closing ${where}`);
      // server.close() removes the unix socket file; the containers are left as they are.
      void Promise.all([api.close(), uiServer?.close()]).then(() => resolve());
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  return 0;
}
