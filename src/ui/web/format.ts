// Docker's words for times and sizes, so that the page reads as `berth ps` does.
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return '';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 1) return 'Less than a second';
  if (s < 60) return `${s} seconds`;
  const m = Math.round(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  return `${Math.round(s / 86400)} days`;
}

// ps's words for a healthcheck's verdict.
const HEALTH: Record<string, string> = { starting: ' (health: starting)', healthy: ' (healthy)', unhealthy: ' (unhealthy)' };

export function statusText(
  c: { status: string; startedAt: string | null; finishedAt: string | null; exitCode: number | null; health?: string | null },
): string {
  if (c.status === 'running') return `Up ${ago(c.startedAt)}${c.health ? HEALTH[c.health] ?? '' : ''}`;
  if (c.status === 'paused') return `Up ${ago(c.startedAt)} (Paused)`;
  if (c.status === 'exited' || c.status === 'stopped') return `Exited (${c.exitCode ?? 0}) ${ago(c.finishedAt)} ago`;
  return c.status.charAt(0).toUpperCase() + c.status.slice(1);
}

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)}${units[i]}`;
}

export function limitsText(l: { memory?: number; cpus?: number; pids?: number }): string {
  const parts: string[] = [];
  if (l.memory !== undefined) parts.push(`mem ${bytes(l.memory)}`);
  if (l.cpus !== undefined) parts.push(`cpus ${l.cpus}`);
  if (l.pids !== undefined) parts.push(`pids ${l.pids}`);
  return parts.join(', ') || '—';
}

export const short = (id: string) => id.slice(0, 12);
