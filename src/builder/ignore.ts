// .containerignore / .dockerignore: which context paths a build may not see. Patterns follow
// Docker's rules: Go-style globs (* ? [..]) plus ** for any depth, matched against the path
// relative to the context; a pattern also excludes everything under what it matches; a line
// starting with ! re-includes; the last matching line wins.
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

interface Rule {
  re: RegExp;
  negate: boolean;
}

function globToRe(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const j = pattern.indexOf(']', i);
      if (j < 0) {
        re += '\\[';
        continue;
      }
      re += `[${pattern.slice(i + 1, j).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
      i = j;
    } else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}(?:/.*)?$`);
}

export function parseIgnore(text: string): Rule[] {
  const rules: Rule[] = [];
  for (let line of text.split(/\r?\n/)) {
    line = line.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    let p = posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
    if (p === '.') p = '**';
    rules.push({ re: globToRe(p), negate });
  }
  return rules;
}

/** A predicate: is this context-relative path excluded? */
export function ignoreMatcher(rules: readonly Rule[]): (rel: string) => boolean {
  return (rel: string) => {
    let excluded = false;
    for (const r of rules) if (r.re.test(rel)) excluded = !r.negate;
    return excluded;
  };
}

/** The context's ignore file (.containerignore first, as Podman), or none. */
export function loadIgnore(contextDir: string): (rel: string) => boolean {
  for (const name of ['.containerignore', '.dockerignore']) {
    try {
      return ignoreMatcher(parseIgnore(readFileSync(join(contextDir, name), 'utf8')));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return () => false;
}
