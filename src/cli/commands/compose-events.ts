// compose events [--json] [--since T] [--until T] [SERVICE...]: the project's container events
// from the engine's journal, followed until interrupted (or --until), as Docker Compose v2 prints them.
import { bool, str, type ParsedArgs } from '../args.js';
import { out } from '../render.js';
import type { Engine } from '../../engine/index.js';
import { composeEvent, eventJsonLine, eventText, projectFilter } from '../../compose/events.js';
import { parseTimeArg } from '../timearg.js';
import { target } from './compose-common.js';
import type { Sub } from './compose-verbs.js';

export async function composeEventsCmd(engine: Engine, g: ParsedArgs, sub: Sub): Promise<number> {
  const p = sub([{ long: 'json', type: 'boolean' }, { long: 'since', type: 'string' }, { long: 'until', type: 'string' }]);
  const name = target(g, false).name;
  const now = Date.now();
  const since = str(p.values.since);
  const until = str(p.values.until);
  const render = bool(p.values.json) ? eventJsonLine : eventText;
  const events = engine.system.events({
    filters: { type: ['container'], label: [projectFilter(name)] },
    ...(since !== undefined ? { since: parseTimeArg(since, '--since', now) } : {}),
    ...(until !== undefined ? { until: parseTimeArg(until, '--until', now) } : {}),
  });
  for await (const ev of events) {
    const e = composeEvent(ev, p.positionals);
    if (e) out(`${render(e)}\n`);
  }
  return 0;
}
