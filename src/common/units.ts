// Sizes, rates and CPU counts in Docker's syntax. Pure, so the CLI, compose and the API agree.
import { invalid } from './errors.js';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "64m", "1.5g", "1024", "512kb" → bytes (binary units, as `docker run -m`). */
export function parseSize(text: string, what = 'size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)i?b?\s*$/i.exec(text);
  if (!m) throw invalid('size.bad', `invalid ${what} "${text}": expected a number with an optional unit b, k, m, g (e.g. 64m)`);
  const n = Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
  if (!Number.isFinite(n) || n <= 0) throw invalid('size.bad', `invalid ${what} "${text}": must be greater than zero`);
  return Math.floor(n);
}

/** "1.5" → 1.5, checked against the host's CPU count as Docker does. */
export function parseCpus(text: string, hostCpus: number): number {
  const n = Number(text);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text) || !Number.isFinite(n) || n <= 0) {
    throw invalid('cpus.bad', `invalid --cpus "${text}": expected a positive number such as 0.5 or 2`);
  }
  if (n > hostCpus) {
    throw invalid('cpus.too_many', `--cpus ${text} is more than the ${hostCpus} CPUs this host has`, `use a value between 0.01 and ${hostCpus}`);
  }
  return n;
}

/** "0-1", "0,2" → validated cpuset list against the host's CPUs. */
export function parseCpuset(text: string, hostCpus: number): string {
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text)) throw invalid('cpuset.bad', `invalid --cpuset-cpus "${text}": expected a list such as 0-1 or 0,2`);
  for (const part of text.split(',')) {
    for (const n of part.split('-').map(Number)) {
      if (n >= hostCpus) throw invalid('cpuset.bad', `--cpuset-cpus ${text}: CPU ${n} does not exist (this host has 0-${hostCpus - 1})`);
    }
  }
  return text;
}

/** "/dev/vda:1mb" → { path, value }; rates take size units, iops plain integers. */
export function parseDeviceRate(text: string, flag: string, iops: boolean): { path: string; rate: number } {
  const i = text.lastIndexOf(':');
  if (i <= 0) throw invalid('device_rate.bad', `invalid ${flag} "${text}": expected PATH:${iops ? 'N' : 'RATE'}, e.g. /dev/vda:${iops ? '100' : '1mb'}`);
  const path = text.slice(0, i);
  const v = text.slice(i + 1);
  if (!path.startsWith('/')) throw invalid('device_rate.bad', `invalid ${flag} "${text}": the device must be an absolute path`);
  let rate: number;
  if (iops) {
    if (!/^\d+$/.test(v) || Number(v) <= 0) throw invalid('device_rate.bad', `invalid ${flag} "${text}": IOPS must be a positive integer`);
    rate = Number(v);
  } else {
    rate = parseSize(v, `${flag} rate`);
  }
  return { path, rate };
}

/** "10", "10s", "1m30s" style durations used by healthchecks and timeouts → milliseconds. */
export function parseDuration(text: string, what = 'duration'): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
    consumed += m[0].length;
  }
  if (consumed !== text.length || consumed === 0) throw invalid('duration.bad', `invalid ${what} "${text}": expected e.g. 30s, 1m30s, 500ms`);
  return total;
}

/** Docker's human durations: "Up 3 minutes", "Exited (0) 5 seconds ago". */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 1) return 'Less than a second';
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  if (m < 60) return m === 1 ? 'About a minute' : `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h < 48) return h === 1 ? 'About an hour' : `${h} hours`;
  const d = Math.round(h / 24);
  if (d < 14) return `${d} days`;
  return `${Math.round(d / 7)} weeks`;
}

export function humanSize(bytes: number): string {
  const u = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < u.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)}${u[i]}`;
}
