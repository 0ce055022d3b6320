// ps(1) on the host, for `top`: Docker runs the user's ps options and keeps the rows of the
// container's processes. The options are ps's own arguments (an array, never a shell line).
import { invalid } from '../common/errors.js';
import { run } from './exec.js';

export interface PsTable {
  titles: string[];
  processes: string[][];
}

/** Splits ps output into columns: each row into as many fields as titles, the last taking the rest. */
export function parsePs(text: string): PsTable {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const titles = (lines[0] ?? '').trim().split(/\s+/);
  const processes = lines.slice(1).map((l) => {
    const f = l.trim().split(/\s+/);
    return [...f.slice(0, titles.length - 1), f.slice(titles.length - 1).join(' ')];
  });
  return { titles, processes };
}

/** The rows of `ps ARGS` whose PID is one of `pids`. */
export function psOf(pids: readonly number[], args: readonly string[]): PsTable {
  const r = run('ps', args.length > 0 ? args : ['-ef'], { allowFail: true });
  if (r.status !== 0) throw invalid('top.ps_failed', `ps ${args.join(' ')} failed: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.status}`}`);
  const t = parsePs(r.stdout);
  const col = t.titles.indexOf('PID');
  if (col < 0) throw invalid('top.no_pid', `ps ${args.join(' ')}: its output has no PID column`, 'add -o pid, or use options such as -ef or aux');
  const want = new Set(pids.map(String));
  return { titles: t.titles, processes: t.processes.filter((p) => want.has(p[col] ?? '')) };
}
