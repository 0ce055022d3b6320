// Shell-like word splitting of string commands (quotes and backslashes, no expansion: Compose
// does not run a shell either) and Compose's project names. Interpolation is interpolate.ts.
import { invalid } from '../common/errors.js';

/** "sh -c 'echo hi'" → ["sh", "-c", "echo hi"], as Compose's shlex does. */
export function splitWords(text: string, where: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw invalid('compose.bad_command', `${where}: unterminated single quote in "${text}"`);
      cur += text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        // Inside double quotes a backslash escapes only these, as in sh.
        if (text[j] === '\\' && j + 1 < text.length && '"\\$`\n'.includes(text[j + 1]!)) j++;
        cur += text[j];
      }
      if (j >= text.length) throw invalid('compose.bad_command', `${where}: unterminated double quote in "${text}"`);
      i = j;
    } else if (c === '\\') {
      if (i + 1 < text.length) cur += text[++i];
    } else {
      cur += c;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** Compose's rule for project names: lower case, only [a-z0-9_-], starting with a letter or digit. */
export function normalizeProjectName(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[_-]+/, '');
}
