#!/usr/bin/env node
// bench/startup-phases.cjs TREE RUNS -- BERTH-ARGS...: berth's own phases of one short command,
// timed inside the process as bin/berth.cjs runs them (read the bundle, compile it with the verb's
// code cache, run its top level, run the command), the fastest of RUNS runs of each. On a shared
// machine the fastest run is the one least disturbed by others' load. Run the command once through
// TREE/bin/berth first, so that its code cache exists.
//   node bench/startup-phases.cjs /tmp/old 30 -- --root /tmp/r --runroot /tmp/rr ps -a
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

if (process.argv[2] === '--child') {
  const t0 = process.hrtime.bigint();
  const vm = require('node:vm');
  const Module = require('node:module');
  const [bundle, cache, ...args] = process.argv.slice(3);
  const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
  const source = fs.readFileSync(bundle, 'utf8');
  const read = ms();
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    cachedData: fs.readFileSync(cache),
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const compiled = ms();
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, Module.createRequire(bundle), mod, bundle, path.dirname(bundle));
  const top = ms();
  mod.exports.main(args).then(() => {
    process.stderr.write(`${JSON.stringify({ read, compile: compiled - read, top: top - compiled, command: ms() - top, rejected: script.cachedDataRejected })}\n`);
    process.exit(0);
  });
} else {
  const [tree, runs, sep, ...args] = process.argv.slice(2);
  if (!tree || !runs || sep !== '--') {
    process.stderr.write(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 7).join('\n') + '\n');
    process.exit(2);
  }
  const dir = path.join(tree, 'build/bundle');
  const words = args.filter((a, i) => !a.startsWith('-') && !['--root', '--runroot'].includes(args[i - 1] ?? ''));
  const verb = (['container', 'image', 'network', 'system', 'volume'].includes(words[0] ?? '') ? words.slice(0, 2) : words.slice(0, 1)).join('-');
  // This tree's cache for the verb: berth-VERB-… (two bundles) or VERB-… (one).
  const cache = fs.readdirSync(path.join(dir, 'v8-cache')).find((f) => f.startsWith(`berth-${verb}-`) || f.startsWith(`${verb}-`));
  if (!cache) throw new Error(`no code cache for ${verb} in ${dir}/v8-cache: run it once through ${tree}/bin/berth`);
  const best = {};
  for (let i = 0; i < Number(runs); i++) {
    const r = spawnSync(process.execPath, [__filename, '--child', path.join(dir, 'berth.cjs'), path.join(dir, 'v8-cache', cache), ...args], {
      encoding: 'utf8',
      // As bin/berth runs a short command: without the CA bundle, its output not a pipe.
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS')),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const line = JSON.parse(r.stderr.trim().split('\n').pop());
    if (line.rejected) throw new Error(`V8 rejected ${cache}`);
    for (const k of ['read', 'compile', 'top', 'command']) best[k] = Math.min(best[k] ?? Infinity, line[k]);
  }
  const sum = best.read + best.compile + best.top + best.command;
  console.log(`${tree} ${args.join(' ')}: read ${best.read.toFixed(2)}, compile ${best.compile.toFixed(2)}, top level ${best.top.toFixed(2)}, command ${
    best.command.toFixed(2)
  }, sum ${sum.toFixed(1)} ms (fastest of ${runs} each)`);
}
