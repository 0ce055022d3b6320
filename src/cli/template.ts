// The part of Go's text/template that `inspect --format` users reach for: {{.A.B}},
// {{json .A}}, and literal text around them.
import { invalid } from '../common/errors.js';

function walk(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const key of path.split('.').filter(Boolean)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function formatTemplate(tpl: string, doc: unknown): string {
  return tpl.replace(/\{\{\s*(.*?)\s*\}\}/g, (_m, expr: string) => {
    const j = /^json\s+(\.[\w.]*)$/.exec(expr);
    if (j) return JSON.stringify(walk(doc, j[1]!));
    if (/^\.[\w.]*$/.test(expr)) {
      const v = walk(doc, expr);
      if (v === undefined || v === null) return '<no value>';
      return typeof v === 'string' ? v : JSON.stringify(v);
    }
    throw invalid('cli.bad_template', `unsupported --format expression "{{${expr}}}": berth supports {{.Field.Sub}} and {{json .Field}}`);
  });
}
