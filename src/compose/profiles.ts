// Profiles: a service that lists profiles runs only when one of them is active (--profile,
// COMPOSE_PROFILES, "*" for all), or when it is named on the command line, which activates its
// profiles as Compose does. Services left out are gone from the project, so nothing later
// plans, creates or shows them.
import { invalid } from '../common/errors.js';

type Map_ = Record<string, unknown>;
const isMap = (v: unknown): v is Map_ => v !== null && typeof v === 'object' && !Array.isArray(v);

const profilesOf = (s: unknown): string[] => (isMap(s) && Array.isArray(s.profiles) ? s.profiles.filter((p): p is string => typeof p === 'string') : []);

export interface ProfileOptions {
  /** --profile and COMPOSE_PROFILES. */
  active: readonly string[];
  /** Services named on the command line. */
  targets?: readonly string[];
}

export function applyProfiles(tree: Map_, o: ProfileOptions, file: string): Map_ {
  if (!isMap(tree.services)) return tree;
  const active = new Set(o.active);
  for (const t of o.targets ?? []) for (const p of profilesOf(tree.services[t])) active.add(p);
  const on = (s: unknown) => {
    const ps = profilesOf(s);
    return ps.length === 0 || active.has('*') || ps.some((p) => active.has(p));
  };
  const services: Map_ = {};
  const off = new Map<string, string[]>();
  for (const [name, s] of Object.entries(tree.services)) {
    if (on(s)) services[name] = s;
    else off.set(name, profilesOf(s));
  }
  for (const [name, s] of Object.entries(services)) {
    if (!isMap(s) || !isMap(s.depends_on)) continue;
    for (const [dep, d] of Object.entries(s.depends_on)) {
      const ps = off.get(dep);
      if (!ps || (isMap(d) && d.required === false)) continue;
      throw invalid('compose.profile_off',
        `${file}: services.${name}.depends_on.${dep}: service ${dep} is not enabled: its profiles (${ps.join(', ')}) are not active`,
        `activate one with --profile ${ps[0]}, or mark the dependency required: false`);
    }
  }
  return { ...tree, services };
}
