// A value from an untrusted document (a compose or Kubernetes file) as a message shows it:
// a string as itself, anything else as JSON, never "[object Object]".
export function show(v: unknown): string {
  if (typeof v === 'string') return v;
  // JSON.stringify gives undefined for undefined, functions and symbols.
  return JSON.stringify(v) ?? String(v);
}
