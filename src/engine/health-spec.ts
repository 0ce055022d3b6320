// The container's healthcheck: the image's HEALTHCHECK with the request's parts laid over it,
// fixed at create. Pure.
import type { HealthcheckConfig } from '../image/index.js';
import type { ContainerSpec, CreateRequest, Healthcheck } from './types.js';

/** Docker's defaults for what neither the image nor the flags say. */
export const HEALTH_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0 } as const;

/** Image durations are nanoseconds; 0 means the default, as in Docker. */
const ms = (ns: number | undefined) => (ns && ns > 0 ? Math.round(ns / 1e6) : undefined);

function imageTest(t: readonly string[] | undefined): string[] | undefined {
  if (!t || t.length === 0 || t[0] === 'NONE') return undefined;
  if (t[0] === 'CMD') return t.length > 1 ? t.slice(1) : undefined;
  if (t[0] === 'CMD-SHELL') return t.length > 1 ? ['/bin/sh', '-c', t.slice(1).join(' ')] : undefined;
  return [...t];
}

export function healthcheckOf(req: Pick<CreateRequest, 'healthcheck' | 'noHealthcheck'>,
  image: HealthcheckConfig | undefined): Pick<ContainerSpec, 'healthcheck'>
{
  if (req.noHealthcheck) return {};
  const r = req.healthcheck ?? {};
  const test = r.test ?? imageTest(image?.Test);
  if (test === undefined || test.length === 0) return {};
  const hc: Healthcheck = {
    test,
    intervalMs: r.intervalMs ?? ms(image?.Interval) ?? HEALTH_DEFAULTS.intervalMs,
    timeoutMs: r.timeoutMs ?? ms(image?.Timeout) ?? HEALTH_DEFAULTS.timeoutMs,
    retries: r.retries ?? (image?.Retries && image.Retries > 0 ? image.Retries : HEALTH_DEFAULTS.retries),
    startPeriodMs: r.startPeriodMs ?? ms(image?.StartPeriod) ?? HEALTH_DEFAULTS.startPeriodMs,
  };
  return { healthcheck: hc };
}
