// Registry verbs: pull, push, login, logout.
import { readFileSync } from 'node:fs';
import type { CommandContext } from '../main.js';
import { parseArgs, bool, str } from '../args.js';
import { out } from '../render.js';
import { invalid, notFound } from '../../common/errors.js';
import { createEngine, type LoginOptions, type PullOptions, type PushOptions } from '../../engine/index.js';
import { progressFor } from './transfer-progress.js';
import { canPrompt, promptLine, promptSecret } from '../prompt.js';

const HELP = { long: 'help', type: 'boolean' } as const;
const TLS = { long: 'tls-verify', type: 'boolean' } as const;
const AUTHFILE = { long: 'authfile', type: 'string' } as const;
const QUIET = { long: 'quiet', short: 'q', type: 'boolean' } as const;

/** --tls-verify defaults to true; only an explicit false turns it off. */
const tlsVerify = (v: unknown) => v !== false;

export async function pullCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [TLS, AUTHFILE, QUIET, { long: 'platform', type: 'string',
    description: 'pick this OS/arch (e.g. linux/amd64) from a multi-platform image' }, { long: 'all-tags', short: 'a', type: 'boolean',
    description: 'not supported: refused with one line' }, HELP], {
    command: c.path,
  });
  const [ref, ...extra] = p.positionals;
  if (!ref || extra.length > 0)
    throw invalid('cli.missing_argument', `"berth ${c.path}" requires exactly 1 argument`,
      `usage: berth ${c.path} [--tls-verify=false] [--platform OS/ARCH] NAME[:TAG|@DIGEST]`);
  if (bool(p.values['all-tags'])) throw invalid('cli.unsupported', '--all-tags is not supported by berth pull');
  const engine = createEngine(c.config);
  const pr = progressFor('Copying', bool(p.values.quiet));
  const opts: PullOptions = { tlsVerify: tlsVerify(p.values['tls-verify']) };
  if (pr.progress) opts.progress = pr.progress;
  const platform = str(p.values.platform);
  if (platform !== undefined) opts.platform = platform;
  const authFile = str(p.values.authfile);
  if (authFile !== undefined) opts.authFile = authFile;
  try {
    const r = await engine.images.pull(ref, opts);
    pr.finish();
    out(`${r.id.replace(/^sha256:/, '')}\n`);
  } finally {
    pr.finish();
  }
  return 0;
}

export async function pushCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [TLS, AUTHFILE, QUIET, { long: 'digestfile', type: 'string', description: "write the pushed manifest's digest to this file" },
    HELP], { command: c.path });
  const [src, dest, ...extra] = p.positionals;
  if (!src || extra.length > 0)
    throw invalid('cli.missing_argument', `"berth ${c.path}" requires 1 or 2 arguments`,
      `usage: berth ${c.path} [--tls-verify=false] IMAGE [REGISTRY/NAME[:TAG]]`);
  const engine = createEngine(c.config);
  const pr = progressFor('Pushing', bool(p.values.quiet));
  const opts: PushOptions = { tlsVerify: tlsVerify(p.values['tls-verify']) };
  if (pr.progress) opts.progress = pr.progress;
  const authFile = str(p.values.authfile);
  if (authFile !== undefined) opts.authFile = authFile;
  try {
    const r = await engine.images.push(src, dest, opts);
    pr.finish();
    const df = str(p.values.digestfile);
    if (df !== undefined) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(df, r.manifestDigest);
    }
    if (!bool(p.values.quiet)) process.stderr.write(`Pushed ${r.destination}@${r.manifestDigest}\n`);
  } finally {
    pr.finish();
  }
  return 0;
}

export async function loginCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [TLS, AUTHFILE, { long: 'username', short: 'u', type: 'string' }, { long: 'password', short: 'p', type: 'string' }, {
    long: 'password-stdin',
    type: 'boolean',
  }, HELP], { command: c.path });
  const [registry, ...extra] = p.positionals;
  if (!registry || extra.length > 0)
    throw invalid('cli.missing_argument', `"berth ${c.path}" requires a registry`,
      `usage: berth ${c.path} [-u USER] [-p PASSWORD | --password-stdin] REGISTRY`);
  // Like docker and podman: what is not given on the command line is asked for at the terminal.
  const passwordStdin = bool(p.values['password-stdin']);
  let password = str(p.values.password);
  if (passwordStdin && password !== undefined) throw invalid('cli.conflict', '--password and --password-stdin exclude each other');
  let username = str(p.values.username);
  if (!username && !passwordStdin && canPrompt()) username = (await promptLine('Username: ')).trim();
  if (!username) throw invalid('cli.missing_value', 'a user name is needed: -u USER');
  if (passwordStdin) password = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  else if (password === undefined && canPrompt()) {
    password = await promptSecret('Password: ');
    if (password === '') throw invalid('cli.missing_value', 'a password is needed');
  }
  if (password === undefined) throw invalid('cli.missing_value', 'a password is needed: -p PASSWORD or --password-stdin');
  const engine = createEngine(c.config);
  const opts: LoginOptions = { tlsVerify: tlsVerify(p.values['tls-verify']) };
  const authFile = str(p.values.authfile);
  if (authFile !== undefined) opts.authFile = authFile;
  await engine.images.login(registry, { username, password }, opts);
  out('Login Succeeded!\n');
  return 0;
}

export async function logoutCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [AUTHFILE, HELP], { command: c.path });
  const [registry, ...extra] = p.positionals;
  if (!registry || extra.length > 0) throw invalid('cli.missing_argument', `"berth ${c.path}" requires a registry`, `usage: berth ${c.path} REGISTRY`);
  const engine = createEngine(c.config);
  const authFile = str(p.values.authfile);
  if (!await engine.images.logout(registry, authFile === undefined ? {} : { authFile })) {
    throw notFound('registry.not_logged_in', `not logged into ${registry}`);
  }
  out(`Removed login credentials for ${registry}\n`);
  return 0;
}
