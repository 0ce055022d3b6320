// Which registries short names are tried on, and which speak plain HTTP: <root>/registries.json
// (or $BERTH_REGISTRIES_CONF), e.g. {"search": ["docker.io"], "insecure": ["localhost:5000"]}.
// Without the file, short names mean docker.io/library/…, as in Podman's default search list.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corrupt } from '../../common/errors.js';

export interface RegistriesConfig {
  search: string[];
  /** Hosts reached over plain HTTP (and with certificate checks off). */
  insecure: string[];
}

export const DEFAULT_SEARCH = ['docker.io'];

export function registriesConfig(root: string): RegistriesConfig {
  const path = process.env.BERTH_REGISTRIES_CONF || join(root, 'registries.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { search: DEFAULT_SEARCH, insecure: [] };
  }
  try {
    const v = JSON.parse(text) as Partial<RegistriesConfig>;
    const strings = (x: unknown) => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : undefined);
    return { search: strings(v.search) ?? DEFAULT_SEARCH, insecure: strings(v.insecure) ?? [] };
  } catch {
    throw corrupt('registries.corrupt', `registries config ${path} is not valid JSON`);
  }
}
