// ps --filter, Docker's keys: id, name, label, status, ancestor, network, exited, health. Pure:
// the caller hands each container's networks and health, so the rules are tested without a root.
import { invalid } from '../../common/errors.js';
import type { Container, HealthStatus } from '../../engine/index.js';

const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

/** Keeps the containers every filter accepts; repeated keys are alternatives, as Docker's. */
const HEALTH = ['starting', 'healthy', 'unhealthy', 'none'];

export function filterContainers(list: Container[], filters: readonly string[], networksOf: (c: Container) => string[],
  healthOf: (c: Container) => HealthStatus | undefined = () => undefined): Container[]
{
  const byKey = new Map<string, string[]>();
  for (const f of filters) {
    const i = f.indexOf('=');
    const k = i < 0 ? f : f.slice(0, i);
    const v = i < 0 ? '' : f.slice(i + 1);
    if (!['id', 'name', 'label', 'status', 'ancestor', 'network', 'exited', 'health'].includes(k)) {
      throw invalid('cli.bad_filter', `invalid filter '${k}'`, 'berth ps knows id, name, label, status, ancestor, network, exited and health');
    }
    if (k === 'health' && !HEALTH.includes(v)) {
      throw invalid('cli.bad_filter', `Unrecognised filter value for health: ${v}`, `health is one of ${HEALTH.join(', ')}`);
    }
    if (k === 'status' && !STATUSES.includes(v)) throw invalid('cli.bad_filter', `invalid filter 'status=${v}'`, `status is one of ${STATUSES.join(', ')}`);
    if (k === 'exited' && !/^-?\d+$/.test(v)) throw invalid('cli.bad_filter', `invalid filter 'exited=${v}': expected an exit code`);
    byKey.set(k, [...(byKey.get(k) ?? []), v]);
  }
  const one = (c: Container, k: string, v: string): boolean => {
    switch (k) {
      case 'id':
        return c.id.startsWith(v);
      case 'name':
        return c.name.includes(v);
      case 'label': {
        const j = v.indexOf('=');
        const lk = j < 0 ? v : v.slice(0, j);
        return lk in c.labels && (j < 0 || c.labels[lk] === v.slice(j + 1));
      }
      case 'status':
        return c.status === v;
      case 'ancestor': {
        const ref = c.imageRef.replace(/^localhost\//, '');
        const want = v.replace(/^localhost\//, '');
        return ref === want || ref === `${want}:latest` || c.imageId === v || c.imageId.replace(/^sha256:/, '').startsWith(v.replace(/^sha256:/, ''));
      }
      case 'network':
        return networksOf(c).includes(v);
      case 'exited':
        return c.status === 'exited' && c.exitCode === Number(v);
      case 'health':
        return (healthOf(c) ?? 'none') === v;
      default:
        return false;
    }
  };
  return list.filter((c) => [...byKey].every(([k, vs]) => (k === 'label' ? vs.every((v) => one(c, k, v)) : vs.some((v) => one(c, k, v)))));
}
