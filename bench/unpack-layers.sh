#!/bin/bash
# Per-layer unpack times, interleaved: for each round and each layer blob, before's unpackLayer,
# after's (this tree's), and `tar -xzf`, each into a fresh directory on the same disk, sync between.
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
        before) t=$(node "$here/bench/unpack-one.mjs" "$before" "$blob" "$scratch/x" | cut -d' ' -f1) ;;
        after) t=$(node "$here/bench/unpack-one.mjs" "$here" "$blob" "$scratch/x" | cut -d' ' -f1) ;;
        tar) s=$(date +%s.%N); tar -xzf "$blob" -C "$scratch/x"; t=$(echo "$(date +%s.%N) - $s" | bc) ;;
      esac
      echo "$r $l $tool $t $(cut -d' ' -f1 /proc/loadavg)"
    done
  done
done
rm -rf "$scratch/x"
