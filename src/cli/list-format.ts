// A listing's --format as Docker's CLI reads it: "json" is one object a line (Docker's
// `{{json .}}` of its row type), any other text a Go template over each row, and with a leading
// "table" a header row too, the columns aligned. \t and \n in the flag's text are a tab and a
// newline, as in Docker's. A row's fields are the listing's own: a name that is not one is an
// error, as Go's template is on Docker's row type.
import { compileTemplate, struct } from './template.js';
import { table } from './render.js';

/** Each field a template may name, with its header in table mode. */
export type Columns = Readonly<Record<string, string>>;

export function formatList(format: string, columns: Columns, rows: readonly Record<string, unknown>[], what: string): string {
  const isTable = /^table(\s|$)/.test(format);
  const text = format === 'json' ? '{{json .}}' : (isTable ? format.slice(5) : format).replace(/^ +| +$/g, '').replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const tpl = compileTemplate(text);
  const lines = rows.map((r) => tpl.execute(struct(what, { ...r })));
  if (!isTable) return lines.map((l) => `${l}\n`).join('');
  // Docker's SubHeaderContext: the fields' headers, and .Label's header is the key's last part.
  const header = tpl.header({ ...columns, Label: (k: string) => (k.split('.').pop() ?? '').replace(/[-_]/g, ' ') });
  const cells = (l: string) => l.split('\t');
  return table(cells(header), lines.map(cells), 10);
}

/** A row's labels as Docker's Labels field prints them, and its Label method. */
export function labelFields(labels: Readonly<Record<string, string>>): { Labels: string; Label: (k: unknown) => string } {
  return { Labels: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(','), Label: (k: unknown) => labels[String(k)] ?? '' };
}

/**
 * Go's time.Time as Docker prints a row's CreatedAt: 2026-12-03 16:30:00 +0000 UTC. A time the
 * API gives in seconds has no fraction; one it gives in RFC 3339 (a network's) keeps its own.
 */
export function goTime(iso: string, fraction = false): string {
  const t = new Date(iso).toISOString();
  const ms = fraction ? t.slice(19, 23).replace(/\.?0*$/, '') : '';
  return `${t.slice(0, 19).replace('T', ' ')}${ms} +0000 UTC`;
}

/** go-units' HumanSizeWithPrecision: decimal units, PRECISION significant digits, as %.*g prints them (4 is its HumanSize). */
export function goSize(bytes: number, precision = 3): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(precision))}${units[i]}`;
}
