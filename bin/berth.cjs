#!/usr/bin/env node
// Runs the bundled CLI (build/bundle/berth.cjs, made by `make build`). bin/berth starts it; conmon
// calls it back directly.
//
// Why not a plain require(): compiling berth's JavaScript is a third of the time of a short
// command such as `ps`. V8 can keep what it compiled (a code cache), as Node 22 does with
// NODE_COMPILE_CACHE; Node 20 lacks that, so this does it: one cache per verb (each verb runs
// different functions), written after the first run that had none, keyed by the bundle's size
// and mtime (V8 itself rejects a cache made by another V8 or for a source of another length).
// A cache that cannot be read or written only costs the compile; it never changes what runs.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const bundles = path.join(__dirname, '..', 'build', 'bundle');
const args = process.argv.slice(2);

// The verb: the first word that is not a global flag or its value, with the noun's verb after it.
function verbOf(argv) {
  const words = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const a = argv[i];
    if (a === '--root' || a === '--runroot') { i++; continue; }
    if (a.startsWith('-')) { if (words.length) break; continue; }
    if (a === 'help' && !words.length) continue;
    words.push(a);
    if (!['container', 'image', 'network', 'compose', 'system', 'volume', 'kube'].includes(words[0])) break;
  }
  return words.join('-').replace(/[^a-z-]/g, '').slice(0, 40) || 'none';
}

// The large commands (compose, serve, kube, build) are in a bundle of their own, so that the short
// ones read and compile only what they can run (see build.mjs, which lists those verbs).
const verb = verbOf(args);
let full = [];
try { full = JSON.parse(fs.readFileSync(path.join(bundles, 'full-verbs.json'), 'utf8')); } catch { /* berth.cjs loads the rest itself */ }
const bundle = path.join(bundles, full.some((v) => verb === v || verb.startsWith(`${v}-`)) ? 'berth-full.cjs' : 'berth.cjs');
let source;
let st;
try {
  source = fs.readFileSync(bundle, 'utf8');
  st = fs.statSync(bundle);
} catch {
  process.stderr.write(`berth: ${bundle} is missing: run make build\n`);
  process.exit(125);
}
// An ordinary user (rootless berth, whose command runs twice: once to enter its namespaces, once
// inside) may not write root's cache beside the bundle: it keeps one of its own, per checkout.
function cacheDirFor() {
  const beside = path.join(bundles, 'v8-cache');
  try {
    fs.accessSync(fs.existsSync(beside) ? beside : bundles, fs.constants.W_OK);
    return beside;
  } catch {
    const base = process.env.XDG_CACHE_HOME || (process.env.HOME ? path.join(process.env.HOME, '.cache') : '');
    return base ? path.join(base, 'berth', 'v8-cache', bundle.replace(/[^A-Za-z0-9.-]/g, '_')) : beside;
  }
}
const cacheDir = cacheDirFor();
const cacheFile = path.join(cacheDir, `${path.basename(bundle, '.cjs')}-${verb}-${st.size}-${Math.trunc(st.mtimeMs)}.bin`);
let cachedData;
try { cachedData = fs.readFileSync(cacheFile); } catch { /* first run of this verb */ }

const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData, importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER });
const mod = { exports: {} };
script.runInThisContext()(mod.exports, Module.createRequire(bundle), mod, bundle, path.dirname(bundle));

function saveCache() {
  if (cachedData !== undefined && !script.cachedDataRejected) return;
  try {
    fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(tmp, cacheFile);
  } catch { /* a read-only install runs without a cache */ }
}

// Exits as soon as the command returns: stdout and stderr are synchronous on Linux, and nothing
// berth leaves (conmon, its pipes) needs the event loop to drain.
mod.exports.main(args).then((rc) => { saveCache(); process.exit(rc); }, (e) => { throw e; });
