// Unpacks one gzip layer blob with a build's unpackLayer, as the unpack worker does (gunzip, then
// unpackLayer), and prints the wall and CPU seconds it took: the per-layer row of bench/RESULTS-speed4.md.
// Usage: node bench/unpack-one.mjs <build dir> <blob> <dest dir>
import { createReadStream, mkdirSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
const [build, blob, dest] = process.argv.slice(2);
const { unpackLayer } = await import(pathToFileURL(join(build, 'build/src/storage/unpack.js')).href);
mkdirSync(dest, { recursive: true });
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const r = await unpackLayer(createReadStream(blob, { highWaterMark: 64 << 10 }).pipe(createGunzip()), dest);
const s = Number(process.hrtime.bigint() - t0) / 1e9;
// CPU seconds (user + system, all threads: gunzip runs on libuv's pool) suffer less than wall time
// from the other engineers' load on a shared machine.
const c = process.cpuUsage(c0);
console.log(`${s.toFixed(3)} ${((c.user + c.system) / 1e6).toFixed(3)} ${r.diffId.slice(0, 19)} ${r.size}`);
