// --sysctl: only the kernel parameters a container's own namespaces hold may be set, as Docker
// allows; the rest would change the host. Pure; the CLI, the API and create all use it.
import { invalid } from '../common/errors.js';
import type { CreateRequest } from './types.js';

/** The sysctls a container's own namespaces hold (moby's IPC and network list); the rest are the host's. */
export function checkSysctl(text: string, networkMode: CreateRequest['networkMode']): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw invalid('sysctl.bad', `invalid argument "${text}" for "--sysctl" flag: expected NAME=VALUE`);
  const name = text.slice(0, eq).replace(/\//g, '.');
  const value = text.slice(eq + 1);
  if (!/^[a-z0-9_.-]+$/i.test(name) || name.split('.').includes('')) throw invalid('sysctl.bad', `invalid sysctl name "${name}"`);
  const ipc = ['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']
    .includes(name) || name.startsWith('fs.mqueue.');
  const net = name.startsWith('net.');
  if (!ipc && !net)
    throw invalid('sysctl.not_namespaced', `sysctl '${name}' is not whitelisted`,
      "only kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.* and net.* are the container's own");
  if (net && networkMode === 'host') throw invalid('sysctl.host_network', `sysctl '${name}' is not allowed in host network namespace`);
  return [name, value];
}
