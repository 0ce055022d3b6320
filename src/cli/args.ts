// A small Docker-style argument parser. util.parseArgs cannot stop at the first positional
// (`berth run -d IMAGE sh -c ...` must leave `-c` to the container), nor group `-dit`.
import { invalid } from '../common/errors.js';

export interface OptionDef {
  long: string;
  short?: string;
  /** 'string' takes a value; 'boolean' does not. */
  type: 'string' | 'boolean';
  multiple?: boolean;
  /** Other long names accepted for the same option (e.g. --memory and -m, --format and -f). */
  aliases?: string[];
  description?: string;
}

/**
 * `--help` (or `-h` where it names no flag) among a verb's flags: thrown by parseArgs with the
 * verb's table, so that main prints help generated from the very flags the verb parses.
 */
const HELP = Symbol.for('berth.HelpRequested');

export class HelpRequested extends Error {
  readonly [HELP] = true;
  constructor(readonly defs: readonly OptionDef[]) {
    super('help requested');
  }
}

/** By a mark, not by class: a command of the second bundle (see build.mjs) throws its own class. */
export function isHelpRequested(e: unknown): e is HelpRequested {
  return typeof e === 'object' && e !== null && (e as { [HELP]?: unknown })[HELP] === true;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** `ownHelp`: the caller prints its own help for a parsed `help` value (compose, kube). */
export function parseArgs(argv: readonly string[], defs: readonly OptionDef[],
  opts: { stopAtPositional?: boolean; command: string; ownHelp?: boolean }): ParsedArgs
{
  const byLong = new Map<string, OptionDef>();
  const byShort = new Map<string, OptionDef>();
  for (const d of defs) {
    byLong.set(d.long, d);
    for (const a of d.aliases ?? []) byLong.set(a, d);
    if (d.short) byShort.set(d.short, d);
  }
  const values: ParsedArgs['values'] = {};
  const positionals: string[] = [];
  const set = (d: OptionDef, v: string | boolean) => {
    if (d.multiple) {
      const cur = values[d.long];
      values[d.long] = [...(Array.isArray(cur) ? cur : []), String(v)];
    } else {
      values[d.long] = v;
    }
  };
  const unknown = (flag: string) => invalid('cli.unknown_flag', `unknown flag: ${flag}`, `see 'berth ${opts.command} --help'`);

  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!opts.ownHelp && (a === '--help' || (a === '-h' && !byShort.has('h')))) throw new HelpRequested(defs);
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const d = byLong.get(name);
      if (!d) throw unknown(`--${name}`);
      if (d.type === 'boolean') {
        if (eq >= 0) {
          const v = a.slice(eq + 1);
          if (v !== 'true' && v !== 'false') throw invalid('cli.bad_value', `flag --${name} takes true or false, not "${v}"`);
          set(d, v === 'true');
        } else set(d, true);
      } else if (eq >= 0) set(d, a.slice(eq + 1));
      else {
        const v = argv[++i];
        if (v === undefined) throw invalid('cli.missing_value', `flag needs an argument: --${name}`);
        set(d, v);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const d = byShort.get(a[j]!);
        if (!d) throw unknown(`-${a[j]}`);
        if (d.type === 'boolean') {
          set(d, true);
          continue;
        }
        const rest = a.slice(j + 1);
        if (rest) set(d, rest.startsWith('=') ? rest.slice(1) : rest);
        else {
          const v = argv[++i];
          if (v === undefined) throw invalid('cli.missing_value', `flag needs an argument: -${a[j]}`);
          set(d, v);
        }
        break;
      }
      continue;
    }
    positionals.push(a);
    if (opts.stopAtPositional) {
      i++;
      break;
    }
  }
  positionals.push(...argv.slice(i));
  return { values, positionals };
}

export const str = (v: ParsedArgs['values'][string]): string | undefined => (typeof v === 'string' ? v : undefined);
export const list = (v: ParsedArgs['values'][string]): string[] => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []);
export const bool = (v: ParsedArgs['values'][string]): boolean => v === true;
