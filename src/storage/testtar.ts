// Builds tar archives in memory for tests, entry by entry, so hostile layouts are easy to write.
import tar from 'tar-stream';
import type { Header } from 'tar-stream';

export interface TarEntry extends Partial<Header> {
  name: string;
  body?: string | Buffer;
}

export async function makeTar(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const { body, ...h } of entries) {
    await new Promise<void>((resolve, reject) => {
      pack.entry({ mtime: new Date(1_000_000_000_000), ...h }, body ?? '', (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}
