#!/usr/bin/env bash
# bench/profile.sh "BERTH CMD (with --root/--runroot)" IMAGE OUTDIR RUNS [ROOTFS] - where berth's time goes.
# 1. timeline: each case RUNS times under bench/timing-hook.mjs (node --import): ms since process
#    start at which berth's JS begins, every program it runs and when it returns, the exit;
# 2. cpu profile: each case twice with node --cpu-prof, self time grouped by module.
# 3. timelines (no cpu profile) of stop -t 0, rm, rm -f and ps -a;
# 4. runc run of berth's own config.json (its mounts of per-container files dropped, root = ROOTFS,
#    args true) against the same without seccomp, with seccomp for x86_64 only, and a `runc spec` bundle.
# bench/breakdown.mjs turns them into OUTDIR/breakdown.md.
set -uo pipefail
B=$1; IMG=$2; OUTD=$3; RUNS=${4:-5}; ROOTFS=${5:-}
BENCH=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUTD/cpuprof"
read -r -a BA <<< "$B"          # BA[0] is bin/berth, the rest its global flags
BIN=${BA[0]}; GLOBAL=("${BA[@]:1}")
# bin/berth may be a sh launcher (which drops NODE_EXTRA_CA_CERTS and execs node bin/berth.cjs):
# profile the JS entry it runs, in the environment it gives it.
ENTRY=$BIN; ENVP=()
if ! head -1 "$BIN" | grep -q node && [ -f "$(dirname "$BIN")/berth.cjs" ]; then
  ENTRY=$(dirname "$BIN")/berth.cjs
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
# 3. the other verbs: PREP makes the container the verb works on
VERBS=(
  "stop_t0|run -d --name prof $IMG sleep 1000|stop -t 0 prof"
  "rm_stopped|run -d --name prof $IMG sleep 1000;stop -t 0 prof|rm prof"
  "rm_f_running|run -d --name prof $IMG sleep 1000|rm -f prof"
  "ps_a|-|ps -a"
)
for c in "${VERBS[@]}"; do
  IFS='|' read -r key prep cmd <<< "$c"
  read -r -a args <<< "$cmd"
  for i in $(seq 0 "$RUNS"); do
    cleanup
    if [ "$prep" != - ]; then
      IFS=';' read -r -a steps <<< "$prep"
      for st in "${steps[@]}"; do read -r -a pa <<< "$st"; "$BIN" "${GLOBAL[@]}" "${pa[@]}" > /dev/null 2>> "$OUTD/errors.txt"; done
    fi
    out=/dev/null; [ "$i" -gt 0 ] && out=$OUTD/timeline.$key.jsonl   # run 0 warms up
    env "${ENVP[@]}" BENCH_TIMING_OUT="$out" node --import "file://$BENCH/timing-hook.mjs" "$ENTRY" "${GLOBAL[@]}" "${args[@]}" > /dev/null 2>> "$OUTD/errors.txt"
  done
  cleanup
done

# 4. what runc itself costs with berth's config.json
if [ -n "$ROOTFS" ] && command -v jq > /dev/null; then
  root=; run=
  for ((k = 0; k < ${#GLOBAL[@]}; k++)); do
    [ "${GLOBAL[$k]}" = --root ] && root=${GLOBAL[$((k + 1))]}
    [ "${GLOBAL[$k]}" = --runroot ] && run=${GLOBAL[$((k + 1))]}
  done
  cleanup
  "$BIN" "${GLOBAL[@]}" run -d --name prof --network none "$IMG" sleep 1000 > /dev/null 2>> "$OUTD/errors.txt"
  id=$("$BIN" "${GLOBAL[@]}" inspect -f '{{.Id}}' prof 2>/dev/null)
  cfg=$root/containers/$id/config.json
  if [ -n "$id" ] && [ -f "$cfg" ]; then
    K=$OUTD/runc; mkdir -p "$K"
    base='(.mounts |= map(select((.source // "") | startswith($root) or startswith($run) | not)))
      | .root = {path: $rootfs, readonly: true} | .process.args = ["/bin/true"] | .process.terminal = false
      | del(.linux.cgroupsPath) | del(.hooks)'
    mkv() { mkdir -p "$K/$1"; jq --arg root "$root" --arg run "$run" --arg rootfs "$ROOTFS" "$base | $2" "$cfg" > "$K/$1/config.json"; }
    mkv berth '.'
    mkv noseccomp 'del(.linux.seccomp)'
    mkv x86_64 '.linux.seccomp.architectures = ["SCMP_ARCH_X86_64"]'
    mkdir -p "$K/spec"; ( cd "$K/spec" && runc spec ) && jq --arg rootfs "$ROOTFS" '.root = {path: $rootfs, readonly: true} | .process.args = ["/bin/true"] | .process.terminal = false' "$K/spec/config.json" > "$K/spec/c.json" && mv "$K/spec/c.json" "$K/spec/config.json"
    jq -c '.linux.seccomp | {defaultAction, architectures, rules: (.syscalls | length), names: ([.syscalls[].names | length] | add)}' "$cfg" > "$K/seccomp-summary.json"
    rr=$(mktemp -d /run/berth-bench-prof-runc.XXXXXX)
    hyperfine -N -w 2 -r $((RUNS * 4)) --style none --export-json "$K/hyperfine.json" \
      -n "berth's config.json" "runc --root $rr run --bundle $K/berth bp1" \
      -n "berth's config.json without seccomp" "runc --root $rr run --bundle $K/noseccomp bp2" \
      -n "berth's config.json, seccomp for x86_64 only (no x86, x32)" "runc --root $rr run --bundle $K/x86_64 bp3" \
      -n "runc spec (no seccomp, no rlimits)" "runc --root $rr run --bundle $K/spec bp4" > /dev/null 2>> "$OUTD/errors.txt"
    for b in bp1 bp2 bp3 bp4; do runc --root "$rr" delete -f $b > /dev/null 2>&1; done
    rm -rf "$rr"
  fi
  cleanup
fi

node "$BENCH/breakdown.mjs" "$OUTD" > "$OUTD/breakdown.md"
