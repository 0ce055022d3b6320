// A listing's --format as Docker's CLI reads it: a Go template over each row, and with a leading
// "table" a header row too, the columns aligned. \t and \n in the flag's text are a tab and a
// newline, as in Docker's. The fields are the listing's own: a name that is not one is an error,
// as Go's template is on Docker's row type.
import { invalid } from '../common/errors.js';
import { formatTemplate } from './template.js';
import { table } from './render.js';

/** Each field a template may name, with its header in table mode. */
export type Columns = Readonly<Record<string, string>>;

export function formatList(format: string, columns: Columns, rows: readonly Record<string, unknown>[], what: string): string {
  const isTable = /^table(\s|$)/.test(format);
  const tpl = (isTable ? format.slice(5) : format).replace(/^ +| +$/g, '').replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  for (const [, expr] of tpl.matchAll(/\{\{\s*(.*?)\s*\}\}/g)) {
    const field = /^(?:json\s+)?\.(\w+)/.exec(expr!)?.[1];
    if (field !== undefined && !(field in columns)) throw invalid('cli.bad_template', `template: can't evaluate field ${field} in type ${what}`);
  }
  const lines = rows.map((r) => formatTemplate(tpl, r));
  if (!isTable) return lines.map((l) => `${l}\n`).join('');
  const header = tpl.replace(/\{\{\s*(?:json\s+)?\.(\w+)\s*\}\}/g, (_m, f: string) => columns[f]!);
  const cells = (l: string) => l.split('\t');
  const head = cells(header);
  return table(head, lines.map(cells));
}
