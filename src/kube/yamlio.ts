// Multi-document YAML in and out. Reading refuses syntax errors, duplicate keys and alias bombs
// with one line; writing puts each object in its own document, file contents as block text.
import { parseAllDocuments, stringify } from 'yaml';
import { invalid } from '../common/errors.js';

/** The objects of a manifest file, empty documents left out; a `kind: List` is unfolded. */
export function parseManifests(text: string, label: string): unknown[] {
  const out: unknown[] = [];
  for (const doc of parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true })) {
    const err = doc.errors[0];
    if (err) {
      const where = err.linePos?.[0] ? ` (line ${err.linePos[0].line}, column ${err.linePos[0].col})` : '';
      throw invalid('kube.bad_yaml', `${label}: invalid YAML${where}: ${err.message.split('\n')[0]}`);
    }
    let v: unknown;
    try {
      v = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      throw invalid('kube.bad_yaml', `${label}: invalid YAML: ${(e as Error).message.split('\n')[0]}`);
    }
    if (v === null || v === undefined) continue;
    const o = v as { kind?: unknown; items?: unknown };
    if (o.kind === 'List' && Array.isArray(o.items)) out.push(...(o.items as unknown[]));
    else out.push(v);
  }
  return out;
}

export function toYaml(objs: readonly unknown[]): string {
  return objs.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
