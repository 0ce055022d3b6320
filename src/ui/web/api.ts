// The page's calls to /ui/api. A changing request carries the session's CSRF token, asked for
// once; the session cookie goes by itself (same origin).
let csrf: Promise<string> | undefined;

async function reply<T>(r: Response): Promise<T> {
  const text = await r.text();
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    body = { message: text.trim() };
  }
  if (!r.ok) throw new Error((body as { message?: string }).message ?? `${r.status} ${r.statusText}`);
  return body as T;
}

export async function getJson<T>(url: string): Promise<T> {
  return reply<T>(await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } }));
}

function token(): Promise<string> {
  csrf ??= getJson<{ csrf: string }>('/ui/api/session').then((s) => s.csrf);
  return csrf;
}

export async function change<T = unknown>(method: 'POST' | 'DELETE', url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'X-Berth-CSRF': await token() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return reply<T>(await fetch(url, { method, credentials: 'same-origin', headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }));
}

/**
 * A changing request whose answer is JSON lines sent as the work goes (a pull's progress): each
 * line to onLine as it comes. A refusal before the stream is thrown as change() throws it.
 */
export async function changeStream<T>(url: string, onLine: (line: T) => void): Promise<void> {
  const r = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'X-Berth-CSRF': await token() } });
  if (!r.ok || !r.body) {
    await reply(r);
    return;
  }
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    buf += chunk.value;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line !== '') onLine(JSON.parse(line) as T);
    }
  }
}
