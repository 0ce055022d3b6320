// Go's text/template, run as Docker's CLI runs its --format: Go's builtin functions, Docker's
// own (json, join, split, lower, upper, title, pad, truncate), and values printed as Go prints
// them. A listing's row is a "struct" (struct()): a field it lacks is an error, as on Docker's
// row types, and a field that is a function is a method (`.Label "k"`). Any other object is a
// map, as Docker's raw inspect documents are: a missing key is <no value>.
import { invalid } from '../common/errors.js';
import { parseTemplate, type Arg, type ControlNode, type Node, type Pipe } from './template-parse.js';
import { execError, FUNCS, goString, HEADER_FUNCS, structType, truthy, typeName, type Fn } from './template-funcs.js';

export { struct } from './template-funcs.js';

/** {{break}} or {{continue}} on its way up to its range, carrying the output made before it. */
class Stop extends Error {
  partial = '';
  constructor(readonly kind: 'break' | 'continue') {
    super(`{{${kind}}}`);
  }
}

class Exec {
  private scopes: Map<string, unknown>[];
  constructor(private readonly funcs: Readonly<Record<string, Fn>>, root: unknown) {
    this.scopes = [new Map([['$', root]])];
  }

  run(nodes: Node[], dot: unknown): string {
    let s = '';
    try {
      for (const n of nodes) s += this.node(n, dot);
    } catch (e) {
      if (e instanceof Stop) e.partial = s + e.partial;
      throw e;
    }
    return s;
  }

  private node(n: Node, dot: unknown): string {
    let s = '';
    switch (n.k) {
      case 'text':
        s += n.s;
        break;
      case 'out': {
        const v = this.pipe(n.pipe, dot);
        if (n.pipe.vars.length === 0) s += goString(v);
        break;
      }
      case 'if':
      case 'with': {
        this.scopes.push(new Map());
        try {
          const v = this.pipe(n.pipe, dot);
          if (truthy(v)) s += this.run(n.body, n.k === 'with' ? v : dot);
          else s += this.run(n.alt, dot);
        } finally {
          this.scopes.pop();
        }
        break;
      }
      case 'range':
        s += this.range(n, dot);
        break;
      case 'break':
      case 'continue':
        throw new Stop(n.k);
    }
    return s;
  }

  private range(n: ControlNode, dot: unknown): string {
    this.scopes.push(new Map());
    try {
      const v = this.pipe({ ...n.pipe, vars: [] }, dot);
      let items: [unknown, unknown][];
      if (v === undefined || v === null) items = [];
      else if (Array.isArray(v)) items = v.map((x, i) => [i, x]);
      else if (typeof v === 'object' && structType(v) === undefined) {
        items = Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]);
      } else if (typeof v === 'number' && Number.isInteger(v)) items = Array.from({ length: Math.max(0, v) }, (_x, i) => [i, i]);
      else throw execError(`range can't iterate over ${goString(v)}`);
      if (items.length === 0) return this.run(n.alt, dot);
      let s = '';
      for (const [k, x] of items) {
        const scope = this.scopes[this.scopes.length - 1]!;
        if (n.pipe.vars.length === 1) scope.set(n.pipe.vars[0]!, x);
        else if (n.pipe.vars.length >= 2) {
          scope.set(n.pipe.vars[0]!, k);
          scope.set(n.pipe.vars[1]!, x);
        }
        try {
          s += this.run(n.body, x);
        } catch (e) {
          if (!(e instanceof Stop)) throw e;
          s += e.partial;
          if (e.kind === 'break') break;
        }
      }
      return s;
    } finally {
      this.scopes.pop();
    }
  }

  private lookup(name: string): unknown {
    for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i]!.has(name)) return this.scopes[i]!.get(name);
    throw execError(`undefined variable: ${name}`);
  }

  private pipe(p: Pipe, dot: unknown): unknown {
    let v: unknown = undefined;
    p.cmds.forEach((c, i) => {
      v = this.cmd(c.args, dot, i > 0 ? [v] : []);
    });
    if (p.vars.length > 0) {
      const name = p.vars[p.vars.length - 1]!;
      if (p.assign) {
        const scope = [...this.scopes].reverse().find((s) => s.has(name));
        if (!scope) throw execError(`undefined variable: ${name}`);
        scope.set(name, v);
      } else this.scopes[this.scopes.length - 1]!.set(name, v);
    }
    return v;
  }

  private cmd(args: Arg[], dot: unknown, final: unknown[]): unknown {
    const [head, ...rest] = args as [Arg, ...Arg[]];
    if (head.k === 'func') {
      const fn = this.funcs[head.name];
      if (!fn) throw execError(`function "${head.name}" not defined`);
      return fn(...rest.map((a) => this.arg(a, dot)), ...final);
    }
    const extra = [...rest.map((a) => this.arg(a, dot)), ...final];
    if (head.k === 'lit') {
      if (extra.length > 0) throw execError(`can't give argument to non-function ${goString(head.v)}`);
      return head.v;
    }
    const [base, chain] = head.k === 'field' ? [dot, head.chain]
      : head.k === 'var' ? [this.lookup(head.name), head.chain] : [this.pipe(head.pipe, dot), head.chain];
    if (chain.length === 0 && extra.length > 0) throw execError(`can't give argument to non-function ${head.k === 'field' ? '.' : ''}`);
    return this.fields(base, chain, extra);
  }

  private arg(a: Arg, dot: unknown): unknown {
    if (a.k === 'lit') return a.v;
    if (a.k === 'func') {
      const fn = this.funcs[a.name];
      if (!fn) throw execError(`function "${a.name}" not defined`);
      return fn();
    }
    return this.cmd([a], dot, []);
  }

  /** Walks .A.B.C; a function met on the way is a method, called with the args at the end. */
  private fields(base: unknown, chain: string[], args: unknown[]): unknown {
    let cur = base;
    chain.forEach((name, i) => {
      const last = i === chain.length - 1;
      if (cur === undefined || cur === null) {
        cur = undefined;
        return;
      }
      if (typeof cur !== 'object') throw execError(`can't evaluate field ${name} in type ${typeName(cur)}`);
      const t = structType(cur);
      if (t !== undefined && !Object.hasOwn(cur, name)) throw execError(`can't evaluate field ${name} in type ${t}`);
      const v = (cur as Record<string, unknown>)[name];
      if (typeof v === 'function') {
        cur = (v as Fn).call(cur, ...(last ? args : []));
        return;
      }
      if (last && args.length > 0) throw execError(`${name} is not a method but has arguments`);
      cur = v;
    });
    return cur;
  }
}

export interface Template {
  /** One execution over the data; throws a BerthError for what Go would fail on. */
  execute(data: unknown): string;
  /** A table's header: the template run over a row of headers with Docker's header functions. */
  header(headers: Readonly<Record<string, unknown>>): string;
}

export function compileTemplate(src: string): Template {
  const nodes = parseTemplate(src);
  for (const name of funcNames(nodes)) if (!(name in FUNCS)) throw invalid('cli.bad_template', `template parsing error: function "${name}" not defined`);
  return {
    execute: (data) => new Exec(FUNCS, data).run(nodes, data),
    header: (headers) => {
      // A map, as Docker's header context is: a field it lacks prints <no value>.
      const row = { ...headers };
      return new Exec(HEADER_FUNCS, row).run(nodes, row);
    },
  };
}

function funcNames(nodes: Node[]): string[] {
  const out: string[] = [];
  const ofPipe = (p: Pipe) => {
    for (const c of p.cmds) {
      for (const a of c.args) {
        if (a.k === 'func') out.push(a.name);
        else if (a.k === 'pipe') ofPipe(a.pipe);
      }
    }
  };
  for (const n of nodes) {
    if (n.k === 'out') ofPipe(n.pipe);
    else if (n.k === 'if' || n.k === 'with' || n.k === 'range') {
      ofPipe(n.pipe);
      out.push(...funcNames(n.body), ...funcNames(n.alt));
    }
  }
  return out;
}

/** One document through a template: inspect -f, info -f, events --format. */
export function formatTemplate(tpl: string, doc: unknown): string {
  return compileTemplate(tpl).execute(doc);
}
