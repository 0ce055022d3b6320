// events [--filter K=V...] [--since T] [--until T] [--format TPL]: Docker's events from the
// journal, as `docker events` prints them. Without --until it follows until interrupted.
import type { CommandContext } from '../main.js';
import { list, parseArgs, str } from '../args.js';
import { invalid } from '../../common/errors.js';
import { createEngine, eventDoc, eventJson, eventLine, parseEventFilters, type EngineEvent } from '../../engine/index.js';
import { parseTimeArg } from '../timearg.js';
import { out } from '../render.js';

export async function eventsCmd(c: CommandContext): Promise<number> {
  const p = parseArgs(c.argv, [
    { long: 'filter', short: 'f', type: 'string', multiple: true,
      description: 'filter output based on conditions provided (container, event, image, label, network, type, volume)' },
    { long: 'format', type: 'string', description: "format output: json, or a Go template such as '{{json .}}'" },
    { long: 'since', type: 'string', description: 'show all events created since timestamp (RFC 3339, Unix seconds or a duration such as 10m)' },
    { long: 'until', type: 'string', description: 'stream events until this timestamp' },
  ], { command: c.path });
  if (p.positionals.length > 0) throw invalid('cli.bad_args', `"berth ${c.path}" accepts no arguments`, `usage: berth ${c.path} [OPTIONS]`);
  const now = Date.now();
  const since = str(p.values.since);
  const until = str(p.values.until);
  const filters = parseEventFilters(list(p.values.filter));
  const format = str(p.values.format);
  let render: (ev: EngineEvent) => string = eventLine;
  // `{{json .}}` is the API's message, timeNano exact (a template's numbers are doubles).
  if (format === 'json' || (format !== undefined && /^\{\{\s*json\s+\.\s*\}\}$/.test(format))) render = eventJson;
  else if (format !== undefined && format !== '') {
    const { compileTemplate } = await import('../template.js');
    // A template that does not parse is refused before anything is read.
    const tpl = compileTemplate(format);
    render = (ev) => tpl.execute(eventDoc(ev));
  }
  const events = createEngine(c.config).system.events({
    filters,
    ...(since !== undefined ? { since: parseTimeArg(since, '--since', now) } : {}),
    ...(until !== undefined ? { until: parseTimeArg(until, '--until', now) } : {}),
  });
  for await (const ev of events) out(`${render(ev)}\n`);
  return 0;
}
