// `start --all --filter`: Podman's filter syntax for the keys berth knows, as pure functions
// (the CLI parses with it before loading the lifecycle).
import { invalid } from '../common/errors.js';
import type { Container } from './container-records.js';

export interface StartAllFilter {
  /** Restart policy names (no, always, unless-stopped, on-failure); any of them matches. */
  restartPolicies?: readonly string[];
  /** "key" or "key=value"; every one must match. */
  labels?: readonly string[];
}

const POLICIES = new Set(['no', 'always', 'unless-stopped', 'on-failure']);

/** Podman's `start --filter` syntax, for the keys berth knows: restart-policy and label. */
export function parseStartFilters(filters: readonly string[]): StartAllFilter {
  const restartPolicies: string[] = [];
  const labels: string[] = [];
  for (const f of filters) {
    const eq = f.indexOf('=');
    const key = eq < 0 ? f : f.slice(0, eq);
    const value = eq < 0 ? '' : f.slice(eq + 1);
    if (key === 'restart-policy') {
      if (!POLICIES.has(value))
        throw invalid('start.bad_filter', `invalid restart-policy filter "${value}": expected no, always, unless-stopped or on-failure`);
      restartPolicies.push(value);
    } else if (key === 'label') {
      if (value === '') throw invalid('start.bad_filter', 'the label filter needs a key: label=KEY[=VALUE]');
      labels.push(value);
    } else {
      throw invalid('start.bad_filter', `invalid filter "${f}"`, 'berth start --all takes --filter restart-policy=POLICY and --filter label=KEY[=VALUE]');
    }
  }
  return { ...(restartPolicies.length > 0 ? { restartPolicies } : {}), ...(labels.length > 0 ? { labels } : {}) };
}

export function matchesStartFilter(c: Pick<Container, 'spec' | 'labels'>, f: StartAllFilter): boolean {
  if (f.restartPolicies && !f.restartPolicies.includes(c.spec.restart.name)) return false;
  for (const l of f.labels ?? []) {
    const eq = l.indexOf('=');
    const key = eq < 0 ? l : l.slice(0, eq);
    if (!(key in c.labels)) return false;
    if (eq >= 0 && c.labels[key] !== l.slice(eq + 1)) return false;
  }
  return true;
}
