#!/bin/bash
# Per-layer unpack times, interleaved: for each round and each layer blob, before's unpackLayer,
# after's (this tree's), and `tar -xzf`, each into a fresh directory on the same disk, sync between.
# Prints: round layer tool wall-seconds cpu-seconds load-average.
# Usage: bench/unpack-layers.sh <before tree> <rounds> <scratch dir> <blob>...
set -euo pipefail
before=$1 rounds=$2 scratch=$3
shift 3
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$scratch"
for r in $(seq "$rounds"); do
  for blob in "$@"; do
    l=$(basename "$blob" | cut -c1-8)
    for tool in before after tar; do
      rm -rf "$scratch/x"; mkdir "$scratch/x"; sync
      case $tool in
        before) t=$(node "$here/bench/unpack-one.mjs" "$before" "$blob" "$scratch/x" | cut -d' ' -f1,2) ;;
        after) t=$(node "$here/bench/unpack-one.mjs" "$here" "$blob" "$scratch/x" | cut -d' ' -f1,2) ;;
        tar) /usr/bin/time -f '%e %U %S' -o "$scratch/t" tar -xzf "$blob" -C "$scratch/x"; t=$(awk '{ print $1, $2 + $3 }' "$scratch/t") ;;
      esac
      echo "$r $l $tool $t $(cut -d' ' -f1 /proc/loadavg)"
    done
  done
done
rm -rf "$scratch/x"
