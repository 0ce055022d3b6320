// Kubernetes resource quantities ("32Mi", "250m", "0.5", "1G") to and from berth's numbers:
// bytes for memory, a fraction of CPUs for cpu.
import { invalid } from '../common/errors.js';

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The value of a quantity in base units (bytes, CPUs); `where` names the field in the error. */
export function parseQuantity(v: unknown, where: string): number {
  const text = typeof v === 'number' ? String(v) : v;
  const m = typeof text === 'string' ? /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([-+]?[0-9]+))?$/.exec(text.trim()) : null;
  if (!m) throw invalid('kube.bad_quantity', `${where}: invalid quantity ${JSON.stringify(v)}`, 'use e.g. 64Mi, 1Gi, 500m or 0.5');
  const n = Number(m[1]);
  if (m[3] !== undefined) return n * 10 ** Number(m[3]);
  const suffix = m[2] ?? '';
  return n * (BINARY[suffix] ?? DECIMAL[suffix]!);
}

/** Bytes as the shortest exact binary quantity ("32Mi"), else plain bytes. */
export function formatMemory(bytes: number): string {
  for (const [suffix, mult] of Object.entries(BINARY).reverse()) {
    if (bytes >= mult && bytes % mult === 0) return `${bytes / mult}${suffix}`;
  }
  return String(bytes);
}

/** CPUs as millicores ("250m"), or whole CPUs when exact ("2"). Kubernetes' finest step is 1m. */
export function formatCpu(cpus: number): string {
  const milli = Math.max(1, Math.round(cpus * 1000));
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}
