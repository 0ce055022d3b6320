// Go's text/template syntax, as far as Docker's --format users write it: text and {{actions}}
// with trim markers, comments, pipelines with | and parentheses, fields, variables, literals,
// and if/else if/else, range (with $i, $e :=, else, break, continue), with, and end.
// define, template and block are refused: a --format is one template.
import { invalid } from '../common/errors.js';

export type Arg =
  | { k: 'field'; chain: string[] } // .A.B ("." alone has an empty chain)
  | { k: 'var'; name: string; chain: string[] } // $x.A, $ is the data
  | { k: 'func'; name: string }
  | { k: 'lit'; v: unknown }
  | { k: 'pipe'; pipe: Pipe; chain: string[] }; // (pipeline).A

export interface Cmd {
  args: Arg[];
}

export interface Pipe {
  /** Variables the pipeline declares (:=) or assigns (=). */
  vars: string[];
  assign: boolean;
  cmds: Cmd[];
  text: string;
}

export interface ControlNode {
  k: 'if' | 'with' | 'range';
  pipe: Pipe;
  body: Node[];
  alt: Node[];
}

export type Node =
  | { k: 'text'; s: string }
  | { k: 'out'; pipe: Pipe }
  | ControlNode
  | { k: 'break' | 'continue' };

export function templateError(msg: string): Error {
  // One line, as Docker's: the template's own text is in the message.
  return invalid('cli.bad_template', `template parsing error: ${msg}`);
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'break', 'continue', 'define', 'template', 'block', 'nil', 'true', 'false']);

type Tok = { t: 'word' | 'field' | 'var' | 'str' | 'num' | '|' | '(' | ')' | ':=' | '=' | ','; v: string; chain?: string[] };

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const chain = (): string[] => {
    const parts: string[] = [];
    while (src[i] === '.' && /[A-Za-z_]/.test(src[i + 1] ?? '')) {
      IDENT.lastIndex = i + 1;
      const m = IDENT.exec(src)!;
      parts.push(m[0]);
      i = IDENT.lastIndex;
    }
    return parts;
  };
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) i++;
    else if (ch === '|' || ch === '(' || ch === ')' || ch === ',') {
      toks.push({ t: ch, v: ch });
      i++;
      // A field may follow a closing parenthesis: (index .A 0).Name
      if (ch === ')' && src[i] === '.') toks[toks.length - 1]!.chain = chain();
    } else if (src.startsWith(':=', i)) {
      toks.push({ t: ':=', v: ':=' });
      i += 2;
    } else if (ch === '=') {
      toks.push({ t: '=', v: '=' });
      i++;
    } else if (ch === '"') {
      const m = /^"(?:[^"\\\n]|\\.)*"/.exec(src.slice(i));
      if (!m) throw templateError('unterminated quoted string');
      try {
        toks.push({ t: 'str', v: JSON.parse(m[0].replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')) as string });
      } catch {
        throw templateError(`bad string ${m[0]}`);
      }
      i += m[0].length;
    } else if (ch === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) throw templateError('unterminated raw quoted string');
      toks.push({ t: 'str', v: src.slice(i + 1, end) });
      i = end + 1;
    } else if (/[0-9]/.test(ch) || ((ch === '-' || ch === '+') && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^[-+]?(?:0x[0-9a-fA-F]+|[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)/.exec(src.slice(i))!;
      toks.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (ch === '.') {
      if (/[A-Za-z_]/.test(src[i + 1] ?? '')) toks.push({ t: 'field', v: '.', chain: chain() });
      else {
        toks.push({ t: 'field', v: '.', chain: [] });
        i++;
      }
    } else if (ch === '$') {
      IDENT.lastIndex = i + 1;
      const m = IDENT.exec(src);
      const name = m && m.index === i + 1 ? `$${m[0]}` : '$';
      i += name.length;
      toks.push({ t: 'var', v: name, chain: chain() });
    } else {
      IDENT.lastIndex = i;
      const m = IDENT.exec(src);
      if (!m || m.index !== i) throw templateError(`unexpected "${ch}" in command`);
      toks.push({ t: 'word', v: m[0] });
      i = IDENT.lastIndex;
    }
  }
  return toks;
}

function parsePipe(text: string, toks: Tok[], start: number, inParens: boolean): { pipe: Pipe; next: number } {
  let i = start;
  const vars: string[] = [];
  let assign = false;
  // $x := ... or $i, $e := ...
  let j = i;
  const declared: string[] = [];
  while (toks[j]?.t === 'var' && (toks[j]!.chain ?? []).length === 0) {
    declared.push(toks[j]!.v);
    j++;
    if (toks[j]?.t === ',') j++;
    else break;
  }
  if (declared.length > 0 && (toks[j]?.t === ':=' || toks[j]?.t === '=')) {
    vars.push(...declared);
    assign = toks[j]!.t === '=';
    i = j + 1;
  }
  const cmds: Cmd[] = [];
  let args: Arg[] = [];
  const endCmd = () => {
    if (args.length === 0) throw templateError(`missing command in "${text}"`);
    cmds.push({ args });
    args = [];
  };
  while (i < toks.length) {
    const t = toks[i]!;
    if (t.t === ')') {
      if (!inParens) throw templateError(`unexpected ")" in "${text}"`);
      break;
    }
    i++;
    switch (t.t) {
      case '|':
        endCmd();
        break;
      case '(': {
        const r = parsePipe(text, toks, i, true);
        const close = toks[r.next];
        if (close?.t !== ')') throw templateError(`unclosed left paren in "${text}"`);
        args.push({ k: 'pipe', pipe: r.pipe, chain: close.chain ?? [] });
        i = r.next + 1;
        break;
      }
      case 'field':
        args.push({ k: 'field', chain: t.chain ?? [] });
        break;
      case 'var':
        args.push({ k: 'var', name: t.v, chain: t.chain ?? [] });
        break;
      case 'str':
        args.push({ k: 'lit', v: t.v });
        break;
      case 'num':
        args.push({ k: 'lit', v: Number(t.v) });
        break;
      case 'word':
        if (t.v === 'true' || t.v === 'false') args.push({ k: 'lit', v: t.v === 'true' });
        else if (t.v === 'nil') args.push({ k: 'lit', v: null });
        else if (KEYWORDS.has(t.v)) throw templateError(`unexpected <${t.v}> in command`);
        else args.push({ k: 'func', name: t.v });
        break;
      case ',':
      case ':=':
      case '=':
        throw templateError(`unexpected "${t.v}" in "${text}"`);
    }
  }
  endCmd();
  return { pipe: { vars, assign, cmds, text }, next: i };
}

function pipeOf(text: string): Pipe {
  const toks = lex(text);
  const r = parsePipe(text, toks, 0, false);
  if (r.next < toks.length) throw templateError(`unexpected "${toks[r.next]!.v}" in "${text}"`);
  return r.pipe;
}

type Action = { kind: 'text'; s: string } | { kind: 'act'; s: string };

/** Splits into text and actions, applying {{- and -}} and dropping comments. */
function split(src: string): Action[] {
  const parts: Action[] = [];
  let i = 0;
  let trimNext = false;
  while (i <= src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      if (text) parts.push({ kind: 'text', s: text });
      break;
    }
    let body = src.slice(open + 2);
    if (/^-\s/.test(body)) {
      text = text.replace(/\s+$/, '');
      body = body.slice(1);
    }
    if (text) parts.push({ kind: 'text', s: text });
    const bodyStart = src.length - body.length;
    let close = -1;
    let inStr: string | null = null;
    for (let p = bodyStart; p < src.length - 1; p++) {
      const ch = src[p]!;
      if (inStr) {
        if (ch === '\\' && inStr === '"') p++;
        else if (ch === inStr) inStr = null;
      } else if (ch === '"' || ch === '`') inStr = ch;
      else if (src.startsWith('}}', p)) {
        close = p;
        break;
      }
    }
    if (close < 0) throw templateError('unclosed action');
    let inner = src.slice(bodyStart, close);
    trimNext = /\s-$/.test(inner);
    if (trimNext) inner = inner.slice(0, -1);
    inner = inner.trim();
    if (!/^\/\*[\s\S]*\*\/$/.test(inner)) parts.push({ kind: 'act', s: inner });
    i = close + 2;
  }
  return parts;
}

/** Parses a template into its tree; a syntax error is a user error. */
export function parseTemplate(src: string): Node[] {
  const parts = split(src);
  let pos = 0;
  let loops = 0;
  // Reads nodes until {{end}} or {{else...}}; returns what stopped it.
  const list = (top: boolean): { nodes: Node[]; stop: string } => {
    const nodes: Node[] = [];
    while (pos < parts.length) {
      const p = parts[pos++]!;
      if (p.kind === 'text') {
        nodes.push({ k: 'text', s: p.s });
        continue;
      }
      const word = /^[a-z]+\b/.exec(p.s)?.[0] ?? '';
      const rest = p.s.slice(word.length).trim();
      if (word === 'end' || word === 'else') {
        if (top) throw templateError(`unexpected {{${word}}}`);
        return { nodes, stop: p.s };
      }
      if (word === 'if' || word === 'with' || word === 'range') nodes.push(control(word, rest));
      else if (word === 'break' || word === 'continue') {
        if (loops === 0) throw templateError(`{{${word}}} outside {{range}}`);
        nodes.push({ k: word });
      } else if (word === 'define' || word === 'template' || word === 'block') throw templateError(`{{${word}}} is not supported in --format`);
      else if (p.s === '') throw templateError('missing value for command');
      else nodes.push({ k: 'out', pipe: pipeOf(p.s) });
    }
    if (!top) throw templateError('unexpected EOF');
    return { nodes, stop: '' };
  };
  const control = (k: 'if' | 'with' | 'range', text: string): Node => {
    if (text === '') throw templateError(`missing value for ${k}`);
    const pipe = pipeOf(text);
    if (k === 'range') loops++;
    const body = list(false);
    if (k === 'range') loops--;
    let alt: Node[] = [];
    if (body.stop !== 'end') {
      const elseRest = body.stop.slice(4).trim();
      // {{else if x}} and {{else with x}} chain: the rest of the chain is the else branch.
      const chained = /^(if|with)\b/.exec(elseRest)?.[1] as 'if' | 'with' | undefined;
      if (chained) {
        alt = [control(chained, elseRest.slice(chained.length).trim())];
        return { k, pipe, body: body.nodes, alt };
      }
      if (elseRest !== '') throw templateError(`unexpected "${elseRest}" after else`);
      const tail = list(false);
      if (tail.stop !== 'end') throw templateError('expected end; found else');
      alt = tail.nodes;
    }
    return { k, pipe, body: body.nodes, alt };
  };
  return list(true).nodes;
}
