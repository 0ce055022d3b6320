// Reading compose YAML: anchors, aliases and merge keys (`<<`) work; duplicate keys, syntax
// errors and alias bombs are one line naming the file. Compose's `!reset` and `!override`
// tags come out as markers that merge.ts understands and stripTags removes.
import { Scalar, YAMLMap, isNode, parseDocument, visit } from 'yaml';
import { invalid } from '../common/errors.js';

const RESET = '\u0000berth:reset';
const OVERRIDE = '\u0000berth:override';

export const isReset = (v: unknown): boolean => v === RESET;
export const isOverride = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, OVERRIDE);
export const unwrapOverride = (v: Record<string, unknown>): unknown => stripTags(v[OVERRIDE]);

/** Aliases expanded in all; a few hundred in a real file, millions in a "billion laughs". */
const MAX_ALIASES = 10_000;

/** Parses YAML text into plain values. */
export function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
  const err = doc.errors[0];
  if (err) {
    const where = err.linePos?.[0] ? ` (line ${err.linePos[0].line}, column ${err.linePos[0].col})` : '';
    throw invalid('compose.bad_yaml', `${file}: invalid YAML${where}: ${err.message.split('\n')[0]}`);
  }
  visit(doc, {
    Node(_key, node) {
      if (!isNode(node)) return undefined;
      if (node.tag === '!reset') return new Scalar(RESET);
      if (node.tag === '!override') {
        delete node.tag;
        const m = new YAMLMap();
        m.set(OVERRIDE, node);
        return m;
      }
      return undefined;
    },
  });
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES }) as unknown;
  } catch (e) {
    if (e instanceof ReferenceError || (e instanceof Error && /alias/i.test(e.message))) {
      throw invalid('compose.bad_yaml', `${file}: invalid YAML: ${e.message.replace(/\.$/, '')} (more than ${MAX_ALIASES} aliases expanded)`);
    }
    throw e;
  }
}

/** Removes what is left of the tags once files are merged: a reset value goes, an override is its value. */
export function stripTags(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => !isReset(x)).map(stripTags);
  if (isOverride(v)) return stripTags(v[OVERRIDE]);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!isReset(x)) out[k] = stripTags(x);
    return out;
  }
  return v;
}
