// What the OCI runtimes say, made readable.

/**
 * runc logs in logrus form (`time="…" level=error msg="…"`); users need only the msg. Lines
 * without one are kept as they are.
 */
export function cleanRuntimeMessage(text: string): string {
  return text
    .split('\n')
    .map((l) => {
      const m = /msg="((?:[^"\\]|\\.)*)"/.exec(l);
      return (m?.[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : l).trim();
    })
    .filter((l) => l.length > 0)
    .join('; ');
}
