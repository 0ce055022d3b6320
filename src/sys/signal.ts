// Signals: the one table of their names, and the one place berth sends one to a process.
import { constants as osConstants } from 'node:os';
import { invalid } from '../common/errors.js';

const BY_NUMBER = new Map(Object.entries(osConstants.signals).map(([k, v]) => [v, k]));

const bad = (signal: string | number) => invalid('signal.invalid', `invalid signal: ${signal}`, 'use a name such as SIGTERM or a number such as 15');

/** "SIGTERM", "TERM", "term", "15" and 15 all name SIGTERM; returns the canonical name, as Docker's kill accepts them. */
export function normalizeSignal(signal: string | number): NodeJS.Signals {
  if (typeof signal === 'number' || /^\d+$/.test(signal)) {
    const name = BY_NUMBER.get(Number(signal));
    if (!name) throw bad(signal);
    return name as NodeJS.Signals;
  }
  const up = signal.toUpperCase();
  const name = up.startsWith('SIG') ? up : `SIG${up}`;
  if (!(name in osConstants.signals)) throw bad(signal);
  return name as NodeJS.Signals;
}

/** The number of a signal by its canonical name (SIGKILL → 9), for 128+n exit codes; 0 when unknown. */
export function signalNumber(name: string): number {
  return (osConstants.signals as Record<string, number | undefined>)[name] ?? 0;
}

/**
 * Sends `signal` to `pid`. False when it could not be delivered: the process is gone (every
 * caller races its exit) or is not ours to signal. Never throws for either.
 */
export function sendSignal(pid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
