// A service's keys that `run` has flags for: init, tty, stdin_open, stop_signal, shm_size,
// sysctls, ulimits, devices, extra_hosts, dns, dns_search, dns_opt, oom_score_adj and logging.
// Read into the same request fields as those flags, and checked by the engine's own parsers, so
// that a compose file and a command line mean the same thing.
import { checkDns, checkOomScoreAdj, checkSysctl, parseDevice, parseExtraHost, parseLogOpts } from '../engine/index.js';
import type { CreateRequest, Ulimit } from '../engine/types.js';
import { invalid } from '../common/errors.js';
import { describe, type Map_, type Reader } from './reader.js';

/** What these keys ask of the engine; absent fields are the engine's defaults. */
export type HostKeys = Partial<
  Pick<CreateRequest,
    'init' | 'tty' | 'openStdin' | 'stopSignal' | 'shmSize' | 'sysctls' | 'ulimits' | 'devices' | 'extraHosts' | 'dns' | 'oomScoreAdj' | 'logOpts'>
> & { logDriver?: string };

/** The drivers whose files `berth logs` reads: conmon's one file stands for each of them. */
const FILE_DRIVERS = ['json-file', 'local', 'k8s-file'];
/** go-units' names, as Docker's --ulimit takes them. */
const ULIMITS = ['as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending',
  'stack'];

/** Engine errors name a flag; in a compose file the key's path says where. */
function checked<T>(r: Reader, path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw r.fail(path, (e as Error).message.replace(/^invalid argument "[^"]*" for "[^"]*" flag: /, ''));
  }
}

const oneOrList = (r: Reader, v: unknown, path: string) => (typeof v === 'string' ? [v] : r.strList(v, path));

/** A mapping in Compose, so in no order: sorted by name, as compose config prints it. */
function ulimits(r: Reader, v: unknown, path: string): Ulimit[] {
  return Object.entries(r.mapping(v, path)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, x]) => {
    const p = `${path}.${name}`;
    if (!ULIMITS.includes(name)) throw r.fail(p, `"${name}" is not a resource limit (${ULIMITS.join(', ')})`);
    const num = (y: unknown, q: string) => {
      if (y === -1 || y === '-1') return -1;
      return r.int(y, q, 0);
    };
    if (typeof x === 'number' || typeof x === 'string') {
      const n = num(x, p);
      return { name, soft: n, hard: n };
    }
    const m = r.mapping(x, p);
    r.keys(m, p, ['soft', 'hard']);
    if (m.soft === undefined || m.hard === undefined) throw r.fail(p, 'needs soft and hard');
    const soft = num(m.soft, `${p}.soft`);
    const hard = num(m.hard, `${p}.hard`);
    if (hard !== -1 && (soft === -1 || soft > hard)) throw r.fail(p, `the soft limit ${soft} is above the hard limit ${hard}`);
    return { name, soft, hard };
  });
}

function extraHosts(r: Reader, v: unknown, path: string): NonNullable<HostKeys['extraHosts']> {
  // Compose's mapping form: a host to one address or a list of them.
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    return Object.entries(v as Map_).flatMap(([host, ips]) =>
      oneOrList(r, ips, `${path}.${host}`).map((ip) => checked(r, `${path}.${host}`, () => parseExtraHost(`${host}=${ip}`)))
    );
  }
  return r.strList(v, path).map((t, i) => checked(r, `${path}[${i}]`, () => parseExtraHost(t)));
}

function devices(r: Reader, v: unknown, path: string): NonNullable<HostKeys['devices']> {
  return r.list(v, path).map((x, i) => {
    const p = `${path}[${i}]`;
    if (typeof x === 'string') return checked(r, p, () => parseDevice(x));
    const m = r.mapping(x, p);
    r.keys(m, p, ['source', 'target', 'permissions']);
    if (m.source === undefined) throw r.fail(p, 'has no source');
    const text = [r.str(m.source, `${p}.source`), ...(m.target === undefined ? [] : [r.str(m.target, `${p}.target`)]),
      ...(m.permissions === undefined ? [] : [r.str(m.permissions, `${p}.permissions`)])].join(':');
    return checked(r, p, () => parseDevice(text));
  });
}

/**
 * logging: driver and options. Every file driver is conmon's one log file, which `berth logs`
 * reads; max-size is conmon's limit. max-file above 1 is warned, not refused: files from the
 * wild ask for rotation everywhere, and berth keeps one file, cut at max-size.
 */
function logging(r: Reader, v: unknown, path: string, warn: (l: string) => void): Pick<HostKeys, 'logOpts' | 'logDriver'> {
  const m = r.mapping(v, path);
  r.keys(m, path, ['driver', 'options']);
  const driver = m.driver === undefined ? 'json-file' : r.str(m.driver, `${path}.driver`);
  if (driver === 'none') {
    if (m.options !== undefined) throw r.fail(`${path}.options`, 'the none driver takes no options');
    return { logDriver: 'none' };
  }
  if (!FILE_DRIVERS.includes(driver)) {
    throw invalid('compose.unsupported', `${r.file}: ${path}.driver: ${driver}: not supported by berth`,
      `berth keeps each container's log in one file (${FILE_DRIVERS.join(', ')}), or none`);
  }
  const opts: Record<string, string> = {};
  if (m.options !== undefined && m.options !== null) {
    for (const [k, x] of Object.entries(r.mapping(m.options, `${path}.options`))) {
      const p = `${path}.options.${k}`;
      const text = typeof x === 'string' || typeof x === 'number' ? String(x) : undefined;
      if (text === undefined) throw r.fail(p, `must be a string, not ${describe(x)}`);
      if (k === 'max-file' && /^\d+$/.test(text) && Number(text) > 1) {
        warn(`${p}: ${text}: berth keeps one log file, cut at max-size, and does not rotate`);
        opts[k] = '1';
      } else if (k === 'compress' || k === 'mode' || k === 'max-buffer-size' || k === 'tag' || k === 'labels' || k === 'env') {
        warn(`${p}: ignored: berth's log file is not compressed, tagged or buffered`);
      } else if (k === 'max-size' || k === 'max-file') opts[k] = text;
      else throw invalid('compose.unsupported', `${r.file}: ${p}: not supported by berth`, 'berth takes max-size and max-file');
    }
  }
  const logOpts = checked(r, `${path}.options`, () => parseLogOpts(opts));
  return { logDriver: driver, ...(logOpts ? { logOpts } : {}) };
}

export function hostKeys(r: Reader, s: Map_, p: string, o: { warn: (l: string) => void; networkMode: CreateRequest['networkMode'] }): HostKeys {
  const out: HostKeys = {};
  if (s.init !== undefined && r.bool(s.init, `${p}.init`)) out.init = true;
  if (s.tty !== undefined && r.bool(s.tty, `${p}.tty`)) out.tty = true;
  if (s.stdin_open !== undefined && r.bool(s.stdin_open, `${p}.stdin_open`)) out.openStdin = true;
  if (s.stop_signal !== undefined) {
    const sig = r.str(s.stop_signal, `${p}.stop_signal`);
    if (!/^(SIG)?[A-Z0-9+-]+$|^\d+$/i.test(sig)) throw r.fail(`${p}.stop_signal`, `"${sig}" is not a signal`);
    out.stopSignal = sig;
  }
  if (s.shm_size !== undefined) out.shmSize = r.size(s.shm_size, `${p}.shm_size`);
  if (s.sysctls !== undefined) {
    const sysctls: Record<string, string> = {};
    for (const [k, x] of r.keyValues(s.sysctls, `${p}.sysctls`)) {
      const [name, value] = checked(r, `${p}.sysctls.${k}`, () => checkSysctl(`${k}=${x ?? ''}`, o.networkMode));
      sysctls[name] = value;
    }
    out.sysctls = sysctls;
  }
  if (s.ulimits !== undefined) out.ulimits = ulimits(r, s.ulimits, `${p}.ulimits`);
  if (s.devices !== undefined) out.devices = devices(r, s.devices, `${p}.devices`);
  if (s.extra_hosts !== undefined) out.extraHosts = extraHosts(r, s.extra_hosts, `${p}.extra_hosts`);
  if (s.dns !== undefined || s.dns_search !== undefined || s.dns_opt !== undefined) {
    const dns = {
      servers: s.dns === undefined ? [] : oneOrList(r, s.dns, `${p}.dns`),
      search: s.dns_search === undefined ? [] : oneOrList(r, s.dns_search, `${p}.dns_search`),
      options: s.dns_opt === undefined ? [] : oneOrList(r, s.dns_opt, `${p}.dns_opt`),
    };
    const d = checked(r, `${p}.dns`, () => checkDns(dns));
    if (d) out.dns = d;
  }
  if (s.oom_score_adj !== undefined) {
    const n = typeof s.oom_score_adj === 'number' ? s.oom_score_adj : Number(r.str(s.oom_score_adj, `${p}.oom_score_adj`));
    if (!Number.isInteger(n) || n < -1000 || n > 1000)
      throw r.fail(`${p}.oom_score_adj`, `must be an integer from -1000 to 1000, not ${describe(s.oom_score_adj)}`);
    // Whether this host lets berth go below its own value is create's question.
    checked(r, `${p}.oom_score_adj`, () => checkOomScoreAdj(n, { blkioWeight: true, oomScoreAdj: -1000, capSysResource: true }));
    out.oomScoreAdj = n;
  }
  if (s.logging !== undefined) Object.assign(out, logging(r, s.logging, `${p}.logging`, o.warn));
  return out;
}
