#!/usr/bin/env bash
# bench/images.sh - images and builds, berth side by side with podman, in one sitting (issue 18).
# A big image is built by berth from this machine's /usr/share (4 layers), pushed to a Debian
# docker-registry on 127.0.0.1, then every row runs interleaved (berth, podman, floors, berth, ...),
# each run into a fresh root. Times and peak RSS come from /usr/bin/time; results are medians.
#
# Usage: bash bench/images.sh [--runs N] [--berth PATH]... (several --berth: before/after in one sitting)
# Writes bench/work/images-<ts>/rows.txt (raw) and prints a table. Needs root, docker-registry,
# skopeo, podman. Kills only the registry it started, by pid.
set -uo pipefail
RUNS=5; BERTHS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2;;
    --berth) BERTHS+=("$2"); shift 2;;
    -h|--help) sed -n 2,9p "$0"; exit 0;;
    *) echo "unknown argument $1" >&2; exit 2;;
  esac
done
REPO=$(cd "$(dirname "$0")/.." && pwd)
[ ${#BERTHS[@]} -eq 0 ] && BERTHS=("$REPO/bin/berth")
W=$REPO/bench/work/img; OUT=$REPO/bench/work/images-$(date -u +%Y%m%dT%H%M%SZ)
PORT=5055; REG=127.0.0.1:$PORT; IMG=$REG/bench/big:latest; SMALL=$W/small-ctx
mkdir -p "$W" "$OUT"
log() { printf '[images %s] %s\n' "$(date +%T)" "$*" >&2; }
# runc and cgroupfs, as /work/shared/bench/peers.sh configures podman (crun refuses this hybrid cgroup host)
P="podman --root $W/pm --runroot $W/pm-run --storage-driver overlay --runtime runc --cgroup-manager cgroupfs"
reg_pid=
cleanup() {
  [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null
  $P rmi -af >/dev/null 2>&1; $P system reset -f >/dev/null 2>&1
  for i in "${!BERTHS[@]}"; do rm -rf "$W/b$i" "$W/b$i-run"; done
  rm -rf "$W/pm" "$W/pm-run" "$W/skopeo" "$W/tarx" "$W/build-root"*
}
trap cleanup EXIT

# ---- the registry and the image (made once, kept in bench/work/img between sittings)
cat > "$W/registry.yml" <<YML
version: 0.1
storage: { filesystem: { rootdirectory: $W/registry }, delete: { enabled: true } }
http: { addr: $REG }
log: { level: error }
YML
docker-registry serve "$W/registry.yml" > "$W/registry.log" 2>&1 & reg_pid=$!
for _ in $(seq 50); do curl -sf "http://$REG/v2/" >/dev/null && break; sleep 0.1; done
fresh_berth() { rm -rf "$1" "$1-run"; mkdir -p "$1"; echo "{\"search\":[],\"insecure\":[\"$REG\"]}" > "$1/registries.json"; }
B0="${BERTHS[0]}"
if ! curl -sf "http://$REG/v2/bench/big/manifests/latest" -H 'accept: application/vnd.oci.image.manifest.v1+json' >/dev/null; then
  log "building the big image from /usr/share and pushing it to $REG"
  printf 'FROM scratch\nCOPY locale /usr/share/locale\nCOPY doc /usr/share/doc\nCOPY man /usr/share/man\nCOPY icons /usr/share/icons\nCOPY vim /usr/share/vim\n' > "$W/big.Containerfile"
  fresh_berth "$W/build-root"
  $B0 --root "$W/build-root" --runroot "$W/build-root-run" build -q -f "$W/big.Containerfile" -t $IMG /usr/share >/dev/null || exit 1
  $B0 --root "$W/build-root" --runroot "$W/build-root-run" push $IMG >/dev/null || exit 1
  rm -rf "$W/build-root" "$W/build-root-run"
fi
# the COPY-heavy build: 5,000 small files
if [ ! -d "$SMALL" ]; then
  mkdir -p "$SMALL/files"
  for d in $(seq 50); do mkdir -p "$SMALL/files/d$d"; for f in $(seq 100); do echo "file $d/$f $(head -c $((f * 37)) /dev/zero | tr '\0' x)" > "$SMALL/files/d$d/f$f"; done; done
  printf 'FROM busybox\nCOPY files /files\nRUN true\n' > "$SMALL/Containerfile"
fi
# the floors' inputs: the layer blobs
skopeo copy -q --src-tls-verify=false docker://$IMG dir:"$W/blobs" >/dev/null 2>&1 || { rm -rf "$W/blobs"; skopeo copy -q --src-tls-verify=false docker://$IMG dir:"$W/blobs"; }
LAYERS=$(jq -r '.layers[].digest' "$W/blobs/manifest.json" | sed 's/sha256://')
MB=$(jq '[.layers[].size] | add / 1e6' "$W/blobs/manifest.json")
log "image: $(echo "$LAYERS" | wc -l) layers, $MB MB compressed"

# ---- one timed run: label, then the command (time's %e %M go to a file)
# sync first: the previous tool's dirty pages must not be written back on this one's time.
timed() { local label=$1; shift; sync; /usr/bin/time -f '%e %M' -o "$OUT/t" "$@" >/dev/null 2>"$OUT/err" || { log "$label failed: $(tail -2 "$OUT/err")"; return; }
  echo "$label $(cat "$OUT/t") $round" >> "$OUT/rows.txt"; }
du_mb() { du -sm "$1" | cut -f1; }
import_busybox() { $1 image import "$REPO/images/out/busybox.tar" busybox >/dev/null; }
$P load -q -i "$REPO/images/out/busybox.tar" >/dev/null 2>&1; $P tag localhost/busybox:latest busybox 2>/dev/null
$P images -q | head -1 >/dev/null
for round in $(seq 0 "$RUNS"); do
  log "round $round"
  order="${!BERTHS[@]}"; [ $((round % 2)) = 1 ] && order=$(echo $order | tr ' ' '\n' | tac | tr '\n' ' ')
  for i in $order; do   # before/after alternate who goes first
    b="${BERTHS[$i]} --root $W/b$i --runroot $W/b$i-run"; fresh_berth "$W/b$i"
    timed "pull-berth$i" $b pull -q $IMG
    [ "$round" = 1 ] && echo "disk-berth$i $(du_mb "$W/b$i")" >> "$OUT/rows.txt"
    timed "save-berth$i" $b save -o "$W/save.tar" $IMG; rm -f "$W/save.tar"
    $b save -o "$W/load.tar" $IMG; fresh_berth "$W/b$i"
    timed "load-berth$i" $b load -q -i "$W/load.tar"; rm -f "$W/load.tar"
    fresh_berth "$W/b$i"; import_busybox "$b"
    timed "build-cold-berth$i" $b build -q --network none -t small "$SMALL"
    timed "build-warm-berth$i" $b build -q --network none -t small "$SMALL"
    rm -rf "$W/b$i" "$W/b$i-run"
  done
  $P rmi -af >/dev/null 2>&1; $P system reset -f >/dev/null 2>&1
  timed pull-podman $P pull -q --tls-verify=false $IMG
  [ "$round" = 1 ] && echo "disk-podman $(du_mb "$W/pm")" >> "$OUT/rows.txt"
  timed save-podman $P save -q -o "$W/save.tar" $IMG; rm -f "$W/save.tar"
  $P save -q -o "$W/load.tar" $IMG; $P rmi -af >/dev/null 2>&1
  timed load-podman $P load -q -i "$W/load.tar"; rm -f "$W/load.tar"
  $P load -q -i "$REPO/images/out/busybox.tar" >/dev/null 2>&1; $P tag localhost/busybox:latest busybox 2>/dev/null
  timed build-cold-podman $P build -q --network none -t small "$SMALL"
  timed build-warm-podman $P build -q --network none -t small "$SMALL"
  $P rmi -af >/dev/null 2>&1; $P system reset -f >/dev/null 2>&1
  rm -rf "$W/skopeo"; timed floor-skopeo skopeo copy -q --src-tls-verify=false docker://$IMG dir:"$W/skopeo"; rm -rf "$W/skopeo"
  rm -rf "$W/tarx"; mkdir -p "$W/tarx"
  timed floor-tar-parallel sh -c "for l in $(echo $LAYERS | tr '\n' ' '); do mkdir -p $W/tarx/\$l; tar -xzf $W/blobs/\$l -C $W/tarx/\$l & done; wait"
  rm -rf "$W/tarx"
done
# ---- medians (round 0 is the warm-up)
node -e '
const fs = require("fs"); const mb = Number(process.argv[2]);
const rows = {}; const disk = {};
for (const l of fs.readFileSync(process.argv[1], "utf8").trim().split("\n")) {
  const [k, a, b, r] = l.split(" ");
  if (k.startsWith("disk-")) { disk[k] = Number(a); continue; }
  if (r === "0") continue;
  (rows[k] ??= []).push([Number(a), Number(b)]);
}
const med = (xs) => { const s = [...xs].sort((x, y) => x - y); return s[Math.floor((s.length - 1) / 2)]; };
console.log("| row | median s | peak RSS MB | runs |"); console.log("|---|---|---|---|");
for (const [k, v] of Object.entries(rows)) {
  const t = med(v.map((x) => x[0]));
  console.log(`| ${k} | ${t.toFixed(2)}${k.startsWith("pull") || k.startsWith("floor") ? ` (${(mb / t).toFixed(0)} MB/s)` : ""} | ${(med(v.map((x) => x[1])) / 1024).toFixed(0)} | ${v.length} |`);
}
for (const [k, v] of Object.entries(disk)) console.log(`| ${k} | ${v} MB on disk | | |`);
' "$OUT/rows.txt" "$MB" | tee "$OUT/table.md"
