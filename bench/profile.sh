#!/usr/bin/env bash
# bench/profile.sh "BERTH CMD (with --root/--runroot)" IMAGE OUTDIR RUNS - where berth's run spends its time.
# 1. timeline: each case RUNS times under bench/timing-hook.mjs (node --import): ms since process
#    start at which berth's JS begins, every program it runs and when it returns, the exit;
# 2. cpu profile: each case twice with node --cpu-prof, self time grouped by module.
# bench/breakdown.mjs turns both into OUTDIR/breakdown.md.
set -uo pipefail
B=$1; IMG=$2; OUTD=$3; RUNS=${4:-5}
BENCH=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUTD/cpuprof"
read -r -a BA <<< "$B"          # BA[0] is bin/berth, the rest its global flags
BIN=${BA[0]}; GLOBAL=("${BA[@]:1}")
# bin/berth may be a sh launcher (which drops NODE_EXTRA_CA_CERTS and execs node bin/berth.mjs):
# profile the JS entry it runs, in the environment it gives it.
ENTRY=$BIN; ENVP=()
if ! head -1 "$BIN" | grep -q node && [ -f "$(dirname "$BIN")/berth.mjs" ]; then
  ENTRY=$(dirname "$BIN")/berth.mjs
  grep -q 'unset NODE_EXTRA_CA_CERTS' "$BIN" && ENVP=(-u NODE_EXTRA_CA_CERTS)
fi
echo "profiling node $ENTRY (env ${ENVP[*]:-unchanged})"

CASES=(
  "run_d_none|run -d --name prof --network none $IMG sleep 1000"
  "run_rm_none|run --rm --network none $IMG true"
  "run_d_port|run -d --name prof -p 18199:80 $IMG sleep 1000"
)
cleanup() { "$BIN" "${GLOBAL[@]}" rm -f prof >/dev/null 2>&1; }

for c in "${CASES[@]}"; do
  key=${c%%|*}; read -r -a args <<< "${c#*|}"
  cleanup
  # one untimed run so that page cache and the image's layer are warm
  "$BIN" "${GLOBAL[@]}" "${args[@]}" > /dev/null 2>&1; cleanup
  for i in $(seq 1 "$RUNS"); do
    s=$(date +%s%N)
    env "${ENVP[@]}" BENCH_TIMING_OUT="$OUTD/timeline.$key.jsonl" node --import "file://$BENCH/timing-hook.mjs" "$ENTRY" "${GLOBAL[@]}" "${args[@]}" > /dev/null 2>> "$OUTD/errors.txt"
    e=$(date +%s%N)
    echo "$key wall_ms=$(( (e - s) / 1000000 ))" >> "$OUTD/wall.txt"
    cleanup
  done
  for i in 1 2; do
    env "${ENVP[@]}" node --cpu-prof --cpu-prof-dir="$OUTD/cpuprof/$key" "$ENTRY" "${GLOBAL[@]}" "${args[@]}" > /dev/null 2>> "$OUTD/errors.txt"
    cleanup
  done
done
node "$BENCH/breakdown.mjs" "$OUTD" > "$OUTD/breakdown.md"
