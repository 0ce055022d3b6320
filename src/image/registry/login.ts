// `berth login` / `logout`: check credentials against the registry, then keep or forget them.
import { invalid } from '../../common/errors.js';
import { defaultAuthFile, removeCredentials, storeCredentials, type Credentials } from './auth.js';
import { RegistryClient } from './client.js';
import { registriesConfig } from './config.js';

export interface LoginOptions {
  tlsVerify?: boolean;
  authFile?: string;
}

function registryName(input: string): string {
  const r = input.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (r === '' || /\s/.test(r)) throw invalid('registry.bad_name', `invalid registry "${input}"`);
  return r === 'index.docker.io' || r === 'registry-1.docker.io' ? 'docker.io' : r;
}

/** Verifies the credentials (GET /v2/ with them) and stores them. Returns the auth file written. */
export async function login(root: string, registry: string, creds: Credentials, opts: LoginOptions = {}): Promise<string> {
  const name = registryName(registry);
  if (creds.username === '' || creds.username.includes(':')) throw invalid('registry.bad_user', 'a user name is needed and may not contain ":"');
  const insecure = registriesConfig(root).insecure.includes(name);
  const client = new RegistryClient(name, '', { tlsVerify: (opts.tlsVerify ?? true) && !insecure, plainHttp: insecure, credentials: creds, actions: 'pull' });
  await client.ping();
  const file = opts.authFile ?? defaultAuthFile(root);
  storeCredentials(file, name, creds);
  return file;
}

/** Forgets the registry's credentials; false when there were none. */
export function logout(root: string, registry: string, opts: { authFile?: string } = {}): boolean {
  return removeCredentials(opts.authFile ?? defaultAuthFile(root), registryName(registry));
}
