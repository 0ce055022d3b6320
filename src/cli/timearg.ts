// Docker's --since/--until values: an RFC 3339 time (or a date), Unix seconds with an optional
// fraction, or a duration back from now ("42m", "1h30m").
import { invalid } from '../common/errors.js';
import { parseDuration } from '../common/units.js';

export function parseTimeArg(text: string, flag: string, now = Date.now()): Date {
  const bad = () => invalid('cli.bad_value', `invalid ${flag} "${text}": expected a time (2006-01-02T15:04:05Z), Unix seconds, or a duration such as 10m`);
  if (/^\d+(\.\d+)?$/.test(text)) return new Date(Number(text) * 1000);
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(text);
    if (!Number.isFinite(t)) throw bad();
    return new Date(t);
  }
  try {
    return new Date(now - parseDuration(text, flag));
  } catch {
    throw bad();
  }
}
