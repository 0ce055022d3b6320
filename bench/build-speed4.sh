#!/bin/bash
# bench/build-speed4.sh - issue 18's build rows, before/after/podman interleaved in one sitting:
# cold and warm `build -q --network none` of the COPY-heavy context (bench/images.sh's small-ctx),
# fresh roots, sync before each, peak RSS from /usr/bin/time. Usage: build-speed4.sh BEFORE AFTER CTX ROUNDS
set -u
BEFORE=$1 AFTER=$2 CTX=$3 ROUNDS=${4:-5}
W=$(mktemp -d /tmp/build-speed4.XXXXXX) REPO=$(cd "$(dirname "$0")/.." && pwd)
P="podman --root $W/pm --runroot $W/pm-run --storage-driver overlay --runtime runc --cgroup-manager cgroupfs"
OUT=$W/rows.txt
timed() { local label=$1; shift; sync; /usr/bin/time -f '%e %M' -o "$W/t" "$@" >/dev/null 2>"$W/err" || { echo "$label failed: $(tail -2 "$W/err")" >&2; return; }
  echo "$label $(cat "$W/t") $round" >> "$OUT"; }
berth_side() { # label binary
  local b="$2 --root $W/$1 --runroot $W/$1-run"
  $b load -q -i "$REPO/images/out/busybox.tar" >/dev/null
  timed "build-cold-$1" $b build -q --network none -t small "$CTX"
  timed "build-warm-$1" $b build -q --network none -t small "$CTX"
  $b rmi -af >/dev/null 2>&1; rm -rf "$W/$1" "$W/$1-run"
}
podman_side() {
  $P load -q -i "$REPO/images/out/busybox.tar" >/dev/null 2>&1; $P tag localhost/busybox:latest busybox
  timed build-cold-podman $P build -q --network none -t small "$CTX"
  timed build-warm-podman $P build -q --network none -t small "$CTX"
  $P rmi -af >/dev/null 2>&1; $P system reset -f >/dev/null 2>&1
}
for round in $(seq 0 "$ROUNDS"); do
  echo "round $round $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  if [ $((round % 2)) = 0 ]; then berth_side before "$BEFORE"; berth_side after "$AFTER"; podman_side
  else podman_side; berth_side after "$AFTER"; berth_side before "$BEFORE"; fi
done
node -e '
const rows = {};
for (const l of require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")) {
  const [k, s, kb, r] = l.split(" "); if (r === "0") continue; (rows[k] ??= []).push([Number(s), Number(kb)]);
}
const med = (xs) => { const s = [...xs].sort((x, y) => x - y); return s[Math.floor((s.length - 1) / 2)]; };
console.log("| row | median s | runs (s) | peak RSS MB (median) |"); console.log("|---|---|---|---|");
for (const [k, v] of Object.entries(rows).sort()) console.log(`| ${k} | ${med(v.map((x) => x[0])).toFixed(2)} | ${v.map((x) => x[0].toFixed(2)).join(" ")} | ${(med(v.map((x) => x[1])) / 1024).toFixed(0)} |`);
' "$OUT"
rm -rf "$W"
