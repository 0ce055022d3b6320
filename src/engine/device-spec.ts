// --device HOST[:CONTAINER[:PERMS]]: Docker's syntax and messages (docker/cli opts/). Pure; the
// CLI, compose and create share it; what the path names on the host is checked at create.
import { invalid } from '../common/errors.js';
import type { DeviceMapping } from './types.js';

const flagError = (flag: string, text: string, why: string, code: string) => invalid(code, `invalid argument "${text}" for "${flag}" flag: ${why}`);

const DEVICE_MODE = /^[rwm]{1,3}$/;

/** "/dev/fuse", "/dev/null:/dev/mynull", "/dev/zero:/dev/z:r", "/dev/zero:r" (Docker's shorthand). */
export function parseDevice(text: string): DeviceMapping {
  const parts = text.split(':');
  let host = parts[0] ?? '';
  let ctr = host;
  let perms = 'rwm';
  if (parts.length === 2) {
    if (DEVICE_MODE.test(parts[1]!)) perms = parts[1]!;
    else ctr = parts[1]!;
  } else if (parts.length === 3) {
    ctr = parts[1]!;
    perms = parts[2]!;
  } else if (parts.length > 3) {
    throw flagError('--device', text, `bad format for path: ${text}`, 'device.bad');
  }
  if (!DEVICE_MODE.test(perms) || new Set(perms).size !== perms.length) throw flagError('--device', text, `invalid device mode: ${perms}`, 'device.bad');
  if (!host.startsWith('/') || !ctr.startsWith('/') || host.split('/').includes('..') || ctr.split('/').includes('..')) {
    throw flagError('--device', text, `${ctr.startsWith('/') ? host : ctr} is not an absolute path`, 'device.bad');
  }
  host = host.replace(/\/+$/, '') || '/';
  ctr = ctr.replace(/\/+$/, '') || '/';
  if (ctr === '/' || ctr === '/dev') throw flagError('--device', text, `${ctr} cannot be a device's path in the container`, 'device.bad');
  return { pathOnHost: host, pathInContainer: ctr, permissions: perms };
}
