// The build's pack phase alone, old and new interleaved: packLayerDir of one directory tree, five
// pairs, wall and CPU time of each, and the digests (which must agree).
// Usage: node bench/pack-phase.mjs OLD_BUILD_DIR TREE   (e.g. /tmp/s14-before/build, a copy of small-ctx/files)
import { resolve } from 'node:path';
const [oldBuild, tree] = process.argv.slice(2);
const { packLayerDir: old } = await import(resolve(oldBuild, 'src/engine/pack-layer.js'));
const { packLayerDir: now } = await import(new URL('../build/src/engine/pack-layer.js', import.meta.url).href);
for (let i = 0; i < 5; i++) {
  for (const [n, f] of [['old', old], ['new', now]]) {
    const c0 = process.cpuUsage();
    const t = performance.now();
    const r = await f(tree, `/tmp/pack-phase-${process.pid}.gz`);
    const c = process.cpuUsage(c0);
    console.log(n, `wall ${(performance.now() - t).toFixed(0)} ms cpu ${((c.user + c.system) / 1000).toFixed(0)} ms`, r.diffId.slice(7, 19),
      r.digest.slice(7, 19));
  }
}
(await import('node:fs')).rmSync(`/tmp/pack-phase-${process.pid}.gz`, { force: true });
