#!/usr/bin/env bash
# bench/ab.sh OLD_BERTH NEW_BERTH: berth before and after a change, side by side in one sitting.
# run -d, ps -a (20 containers), rm -f and stop, interleaved by hyperfine, each tree in a root of
# its own under /tmp. Build the old tree first (git worktree add /tmp/old REV && cd /tmp/old &&
# cp -a $REPO/node_modules . && npx tsc -p tsconfig.json && node build.mjs), then:
#   bash bench/ab.sh /tmp/old/bin/berth bin/berth          (RUNS=N, default 15)
set -euo pipefail
[ $# -eq 2 ] || { sed -n 2,7p "$0"; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
o="$1 --root /tmp/ab-old --runroot /tmp/ab-old-run"
n="$2 --root /tmp/ab-new --runroot /tmp/ab-new-run"
for b in "$o" "$n"; do
  r=$(echo $b | awk '{print $3}'); rm -rf $r $r-run; mkdir -p $r; echo '{"search":[]}' > $r/registries.json
  $b image import $here/images/out/busybox.tar busybox >/dev/null
  for i in $(seq 20); do $b create --network none busybox true >/dev/null; done
done
S="sh -c 'trap \"exit 0\" TERM; while :; do sleep 1; done'"
hyperfine -N -w 3 -r ${RUNS:-15} "$o ps -a" "$n ps -a" 2>&1 | grep -E "Time|faster|±"
hyperfine -w 2 -r ${RUNS:-15} -p "$o rm -f abx >/dev/null 2>&1 || true" -p "$n rm -f abx >/dev/null 2>&1 || true" \
  "$o run -d --name abx --network none busybox sleep 1000" "$n run -d --name abx --network none busybox sleep 1000" 2>&1 | grep -E "Time|faster|±"
hyperfine -w 2 -r ${RUNS:-15} -p "$o run -d --name aby --network none busybox sleep 1000" -p "$n run -d --name aby --network none busybox sleep 1000" \
  "$o rm -f aby" "$n rm -f aby" 2>&1 | grep -E "Time|faster|±"
hyperfine -w 2 -r ${RUNS:-15} -p "$o rm -f abz >/dev/null 2>&1; $o run -d --name abz --network none busybox $S" -p "$n rm -f abz >/dev/null 2>&1; $n run -d --name abz --network none busybox $S" \
  "$o stop abz" "$n stop abz" 2>&1 | grep -E "Time|faster|±"
# Remove what each root made, its default network's bridge included, before the root goes.
for b in "$o" "$n"; do
  r=$(echo $b | awk '{print $3}')
  ids=$($b ps -aq); [ -n "$ids" ] && $b rm -f $ids >/dev/null
  for net in $($b network ls --format json | jq -r '.Name'); do $b network rm -f "$net" >/dev/null; done
  rm -rf $r $r-run
done
