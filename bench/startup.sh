#!/usr/bin/env bash
# bench/startup.sh BERTH...: start-up of the short commands (`version`, `ps -a` on an empty root)
# for several builds of berth in one sitting. hyperfine 1.15 runs one command's runs together, so
# on a shared machine the load moves between them: ROUNDS invocations (default 3) alternate the
# order, and the table gives the median and fastest wall time of all runs of each build (the fastest
# is the one least disturbed by others' load) and its mean user CPU.
#   bash bench/startup.sh /tmp/old/bin/berth bin/berth        (RUNS=N per round, default 40)
set -euo pipefail
[ $# -ge 1 ] || { sed -n 2,6p "$0"; exit 2; }
out=$(mktemp -d /tmp/berth-startup.XXXXXX)
trap 'rm -rf "$out"' EXIT
for cmd in version "ps -a"; do
  for round in $(seq "${ROUNDS:-3}"); do
    args=()
    bins=("$@")
    # Odd rounds run the builds in the order given, even rounds in reverse.
    if [ $((round % 2)) -eq 0 ]; then for ((i = $# - 1; i >= 0; i--)); do args+=("${bins[$i]} --root $out/r$i --runroot $out/rr$i $cmd"); done
    else for ((i = 0; i < $#; i++)); do args+=("${bins[$i]} --root $out/r$i --runroot $out/rr$i $cmd"); done; fi
    hyperfine -N --warmup 5 --runs "${RUNS:-40}" --export-json "$out/${cmd// /}-$round.json" "${args[@]}" >/dev/null
  done
done
node - "$out" "$@" <<'JS'
const fs = require('node:fs');
const [dir, ...bins] = process.argv.slice(2);
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
console.log('| build | command | median wall (ms) | fastest run (ms) | mean user CPU (ms) | runs |\n|---|---|---|---|---|---|');
for (const cmd of ['version', 'ps -a']) {
  const by = new Map();
  for (const f of fs.readdirSync(dir).filter((f) => f.startsWith(cmd.replace(' ', '') + '-'))) {
    for (const r of JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')).results) {
      const bin = r.command.split(' --root ')[0];
      const e = by.get(bin) ?? { t: [], u: [] };
      e.t.push(...r.times); e.u.push(r.user);
      by.set(bin, e);
    }
  }
  for (const b of bins) { const e = by.get(b); console.log(`| ${b} | \`${cmd}\` | ${(med(e.t) * 1e3).toFixed(1)} | ${(Math.min(...e.t) * 1e3).toFixed(1)} | ${(e.u.reduce((x, y) => x + y, 0) / e.u.length * 1e3).toFixed(1)} | ${e.t.length} |`); }
}
JS
