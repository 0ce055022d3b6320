// A build step's filled directory as a layer blob, in one pass: the directory is packed to a tar
// stream that is hashed (the diff id), gzipped at level 1 and hashed again (the blob digest) on
// its way to the blob file. No plain tar is written, and the directory itself becomes the layer
// (createImage moves it into place), so its files are not unpacked a second time from the tar.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { packDir } from '../storage/pack.js';

export interface PackedLayer {
  /** sha256 of the tar. */
  diffId: string;
  /** sha256 of the gzip blob written to `blob`. */
  digest: string;
  blobSize: number;
  /** The bytes of the layer's regular files (a layer's size as unpack counts it). */
  size: number;
}

const tapper = (h: ReturnType<typeof createHash>, count: (n: number) => void) =>
  new Transform({
    transform(c: Buffer, _e, cb) {
      h.update(c);
      count(c.length);
      cb(null, c);
    },
  });

/** Packs `dir` into a gzip blob at `blob` (level 1, see image/create.ts), hashing both forms. */
export async function packLayerDir(dir: string, blob: string): Promise<PackedLayer> {
  const raw = createHash('sha256');
  const gz = createHash('sha256');
  let blobSize = 0;
  const tapRaw = tapper(raw, () => undefined);
  const writing = pipeline(tapRaw, createGzip({ level: 1 }), tapper(gz, (n) => (blobSize += n)), createWriteStream(blob, { mode: 0o600 }));
  writing.catch(() => undefined);
  const size = await packDir(dir, tapRaw);
  await writing;
  return { diffId: `sha256:${raw.digest('hex')}`, digest: `sha256:${gz.digest('hex')}`, blobSize, size };
}
