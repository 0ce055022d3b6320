#!/usr/bin/env bash
# bench/images-rss.sh - pull and load only, berth before/after and podman interleaved, with times
# and memory from bench/rss-run.py (ru_maxrss as /usr/bin/time %M, and the polled sum over the
# process tree), and the floors (skopeo's download alone; tar -xzf of the layer blobs in parallel).
# Reuses bench/images.sh's image: bench/work/img/registry (a docker-registry store) and
# bench/work/img/blobs (skopeo dir: copy), served on its own port so it never meets images.sh's.
#
# Usage: bash bench/images-rss.sh [--runs N] [--port P] --berth BEFORE --berth AFTER
# Rows go to bench/work/rss-<ts>/rows.txt: "row wall_s maxrss_mb tree_mb anon_mb file_mb round".
# Kills only the registry it started, by pid.
set -uo pipefail
RUNS=3; PORT=5056; BERTHS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2;;
    --port) PORT=$2; shift 2;;
    --berth) BERTHS+=("$2"); shift 2;;
    -h|--help) sed -n 2,10p "$0"; exit 0;;
    *) echo "unknown argument $1" >&2; exit 2;;
  esac
done
REPO=$(cd "$(dirname "$0")/.." && pwd)
W=$REPO/bench/work/img; OUT=$REPO/bench/work/rss-$(date -u +%Y%m%dT%H%M%SZ); R=$REPO/bench/rss-run.py
REG=127.0.0.1:$PORT; IMG=$REG/bench/big:latest
[ -d "$W/registry" ] && [ -d "$W/blobs" ] || { echo "no image in $W: run bench/images.sh once" >&2; exit 1; }
mkdir -p "$OUT"
log() { printf '[rss %s] %s\n' "$(date +%T)" "$*" >&2; }
P="podman --root $W/pmr --runroot $W/pmr-run --storage-driver overlay --runtime runc --cgroup-manager cgroupfs"
reg_pid=
cleanup() {
  [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null
  $P rmi -af >/dev/null 2>&1; $P system reset -f >/dev/null 2>&1
  for i in "${!BERTHS[@]}"; do rm -rf "$W/r$i" "$W/r$i-run"; done
  rm -rf "$W/pmr" "$W/pmr-run" "$W/skopeo-r" "$W/tarx-r" "$W/rss-load.tar" "$W/rss-pm-load.tar"
}
trap cleanup EXIT
cat > "$W/registry-rss.yml" <<YML
version: 0.1
storage: { filesystem: { rootdirectory: $W/registry }, delete: { enabled: true } }
http: { addr: $REG }
log: { level: error }
YML
docker-registry serve "$W/registry-rss.yml" > "$OUT/registry.log" 2>&1 & reg_pid=$!
for _ in $(seq 50); do curl -sf "http://$REG/v2/" >/dev/null && break; sleep 0.1; done
fresh_berth() { rm -rf "$1" "$1-run"; mkdir -p "$1"; echo "{\"search\":[],\"insecure\":[\"$REG\"]}" > "$1/registries.json"; }
LAYERS=$(jq -r '.layers[].digest' "$W/blobs/manifest.json" | sed 's/sha256://')
# sync first: the previous run's dirty pages must not be written back on this one's time.
timed() { local label=$1; shift; sync; local r; r=$(python3 "$R" "$@") || { log "$label failed ($r)"; return; }
  echo "$label ${r% rc=*} $round" >> "$OUT/rows.txt"; }
# The archives to load: one berth save (both berths load the same file), podman's own save for podman.
b="${BERTHS[0]} --root $W/r0 --runroot $W/r0-run"; fresh_berth "$W/r0"
$b pull -q $IMG >/dev/null && $b save -o "$W/rss-load.tar" $IMG || exit 1
rm -rf "$W/r0" "$W/r0-run"
$P pull -q --tls-verify=false $IMG >/dev/null 2>&1 && $P save -q -o "$W/rss-pm-load.tar" $IMG || exit 1
$P rmi -af >/dev/null 2>&1; $P system reset -f >/dev/null 2>&1
for round in $(seq 0 "$RUNS"); do
  log "round $round (load average $(cut -d' ' -f1 /proc/loadavg))"
  echo "loadavg $(cut -d' ' -f1-3 /proc/loadavg) $round" >> "$OUT/rows.txt"
  order="${!BERTHS[@]}"; [ $((round % 2)) = 1 ] && order=$(echo $order | tr ' ' '\n' | tac | tr '\n' ' ')
  for i in $order; do
    b="${BERTHS[$i]} --root $W/r$i --runroot $W/r$i-run"
    fresh_berth "$W/r$i"; timed "pull-berth$i" $b pull -q $IMG
    fresh_berth "$W/r$i"; timed "load-berth$i" $b load -q -i "$W/rss-load.tar"
    rm -rf "$W/r$i" "$W/r$i-run"
  done
  $P rmi -af >/dev/null 2>&1; $P system reset -f >/dev/null 2>&1
  timed pull-podman $P pull -q --tls-verify=false $IMG
  $P rmi -af >/dev/null 2>&1; $P system reset -f >/dev/null 2>&1
  timed load-podman $P load -q -i "$W/rss-pm-load.tar"
  $P rmi -af >/dev/null 2>&1; $P system reset -f >/dev/null 2>&1
  rm -rf "$W/skopeo-r"; timed floor-skopeo skopeo copy -q --src-tls-verify=false docker://$IMG dir:"$W/skopeo-r"; rm -rf "$W/skopeo-r"
  rm -rf "$W/tarx-r"; mkdir -p "$W/tarx-r"
  timed floor-tar-parallel sh -c "for l in $(echo $LAYERS | tr '\n' ' '); do mkdir -p $W/tarx-r/\$l; tar -xzf $W/blobs/\$l -C $W/tarx-r/\$l & done; wait"
  rm -rf "$W/tarx-r"
done
# medians of the counted rounds (round 0 is the warm-up)
node -e '
const fs = require("fs");
const rows = {};
for (const l of fs.readFileSync(process.argv[1], "utf8").trim().split("\n")) {
  const f = l.split(" ");
  if (f[0] === "loadavg" || f[f.length - 1] === "0") continue;
  (rows[f[0]] ??= []).push(f.slice(1, 6).map(Number));
}
const med = (xs) => { const s = [...xs].sort((x, y) => x - y); return s[Math.floor((s.length - 1) / 2)]; };
console.log("| row | median s (runs) | ru_maxrss MB | tree peak MB | anon / file MB |"); console.log("|---|---|---|---|---|");
for (const [k, v] of Object.entries(rows)) {
  const c = (j) => med(v.map((x) => x[j]));
  console.log(`| ${k} | ${c(0).toFixed(2)} (${v.map((x) => x[0].toFixed(2)).join(", ")}) | ${c(1)} (${v.map((x) => x[1]).join(", ")}) | ${c(2)} | ${c(3)} / ${c(4)} |`);
}
' "$OUT/rows.txt" | tee "$OUT/table.md"
