// What every compose verb of the CLI shares: the project a command is about (from -f, -p and
// the directory), the progress lines on stderr, and -t SECONDS.
import type { ParsedArgs } from '../args.js';
import { bool, list, str } from '../args.js';
import type { UpOptions } from '../../compose/project.js';
import { invalid } from '../../common/errors.js';
import { findComposeFile, loadProject } from '../../compose/load.js';
import type { ComposeProject } from '../../compose/model.js';
import { normalizeProjectName } from '../../compose/text.js';

export interface Target {
  name: string;
  /** Absent when only -p was given and no compose file is here (down, ps, logs still work). */
  project?: ComposeProject;
}

export function target(p: ParsedArgs, needFile: boolean, services?: readonly string[]): Target {
  const files = list(p.values.file);
  const pname = str(p.values['project-name']);
  const dir = str(p.values['project-directory']);
  const cwd = process.cwd();
  if (files.length > 0 || process.env.COMPOSE_FILE || findComposeFile(cwd) || needFile || pname === undefined) {
    const project = loadProject({
      cwd,
      env: process.env,
      files,
      envFiles: list(p.values['env-file']),
      profiles: list(p.values.profile),
      warn: (w) => log(`warning: ${w}`),
      ...(services && services.length > 0 ? { services } : {}),
      ...(pname !== undefined ? { projectName: pname } : {}),
      ...(dir !== undefined ? { projectDirectory: dir } : {}),
    });
    return { name: project.name, project };
  }
  const name = normalizeProjectName(pname);
  if (!name) throw invalid('compose.bad_project_name', `invalid project name "${pname}"`);
  return { name };
}

export const log = (line: string) => process.stderr.write(`${line}\n`);

export function timeoutOf(p: ParsedArgs): number | undefined {
  const t = str(p.values.timeout);
  if (t === undefined) return undefined;
  if (!/^\d+$/.test(t)) throw invalid('cli.bad_value', `invalid --timeout "${t}": expected whole seconds`);
  return Number(t);
}

/** The flags up and create share. */
export function upFlags(p: ParsedArgs): Pick<UpOptions, 'build' | 'pull' | 'forceRecreate' | 'noRecreate' | 'timeoutSec'> {
  const text = str(p.values.pull);
  if (text !== undefined && text !== 'always' && text !== 'missing' && text !== 'never') {
    throw invalid('cli.bad_value', `invalid --pull "${text}": use always, missing or never`);
  }
  const pull = text;
  if (bool(p.values.build) && bool(p.values['no-build'])) throw invalid('cli.bad_value', '--build and --no-build cannot be combined');
  if (bool(p.values['force-recreate']) && bool(p.values['no-recreate']))
    throw invalid('cli.bad_value', '--force-recreate and --no-recreate cannot be combined');
  const timeout = p.values.timeout === undefined ? undefined : timeoutOf(p);
  return {
    ...(bool(p.values.build) ? { build: 'always' as const } : bool(p.values['no-build']) ? { build: 'never' as const } : {}),
    ...(pull !== undefined ? { pull } : {}),
    forceRecreate: bool(p.values['force-recreate']),
    noRecreate: bool(p.values['no-recreate']),
    ...(timeout !== undefined ? { timeoutSec: timeout } : {}),
  };
}

export function need(p: ParsedArgs, n: number, verb: string, usage: string): string[] {
  if (p.positionals.length < n)
    throw invalid('cli.missing_argument', `"berth compose ${verb}" requires at least ${n} argument${n > 1 ? 's' : ''}`,
      `usage: berth compose ${verb} ${usage}`);
  return p.positionals;
}
