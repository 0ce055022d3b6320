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

// tar-stream hands over a header, a body and a padding per entry: for a layer of small files
// that is three chunks of a few hundred bytes each, and every chunk costs a turn through the
// hash, a trip to zlib's thread and back, and one through the next stream. Gathered into
// chunks of this size, the same bytes cost a few hundred of those turns instead of ~15,000.
const CHUNK = 256 << 10;

/** Hashes what passes (counting it) and passes it on in chunks of CHUNK bytes or more. */
export function gatherer(h: ReturnType<typeof createHash>, count: (n: number) => void, size = CHUNK): Transform {
  let parts: Buffer[] = [];
  let have = 0;
  const out = (t: Transform) => {
    if (have === 0) return;
    const b = parts.length === 1 ? parts[0]! : Buffer.concat(parts, have);
    parts = [];
    have = 0;
    h.update(b);
    count(b.length);
    t.push(b);
  };
  return new Transform({
    transform(c: Buffer, _e, cb) {
      parts.push(c);
      have += c.length;
      if (have >= size) out(this);
      cb();
    },
    flush(cb) {
      out(this);
      cb();
    },
  });
}

/** Packs `dir` into a gzip blob at `blob` (level 1, see image/create.ts), hashing both forms. */
export async function packLayerDir(dir: string, blob: string): Promise<PackedLayer> {
  const raw = createHash('sha256');
  const gz = createHash('sha256');
  let blobSize = 0;
  const tapRaw = gatherer(raw, () => undefined);
  const writing = pipeline(
    tapRaw,
    createGzip({ level: 1, chunkSize: CHUNK }),
    gatherer(gz, (n) => (blobSize += n), 0),
    createWriteStream(blob, { mode: 0o600 }),
  );
  writing.catch(() => undefined);
  const size = await packDir(dir, tapRaw);
  await writing;
  return { diffId: `sha256:${raw.digest('hex')}`, digest: `sha256:${gz.digest('hex')}`, blobSize, size };
}
