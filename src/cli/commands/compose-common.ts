// What every compose verb of the CLI shares: the project a command is about (from -f, -p and
// the directory), the progress lines on stderr, and -t SECONDS.
import type { ParsedArgs } from '../args.js';
import { list, str } from '../args.js';
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
