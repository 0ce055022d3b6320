#!/usr/bin/env bash
# bench/run.sh - berth side by side with podman and docker on this machine (issue 6).
# `make bench` runs it. It installs the peers from Debian packages, imports one busybox rootfs into
# berth (a private root under /tmp) and into each peer, measures every row interleaved
# (berth, podman, docker, berth, ...) with hyperfine, one run per tool per round, round 0 being
# the warm-up, and writes bench/RESULTS.md. Everything else it writes goes under bench/work/.
#
# Usage: bash bench/run.sh [--quick] [--runs N] [--no-peers] [--ps-sizes "0 50 200 1000"] [--teardown-only]
#   --quick          3 counted runs, ps sizes 0 50 200, fewer breakdown runs (a smoke test of the harness)
#   --runs N         counted runs per row and tool (default 10; one warm-up round comes on top)
#   --no-peers       berth and the floors only (no apt, no dockerd)
#   --ps-sizes "..." container counts for the `ps -a` rows (from 200 on, 100 of them run)
#   --peers-1000     fill podman and docker to 1000 too (berth always is; +4-5 min: only berth's 1000
#                    row has a target, against berth's own 0)
#   --no-farm        skip §g, the web farm with wrk
#   --teardown-only  undo what an interrupted run left behind, then exit
# Environment: BERTH_BIN (default bin/berth), BENCH_RESULTS (default bench/RESULTS.md).
# Needs root. Kills only processes it started (dockerd by its pid file) or that name its own paths.
set -uo pipefail
{ # the whole script is one group, read before it runs (editing it mid-run is then harmless)

RUNS=10; QUICK=0; PEERS=1; PS_SIZES="0 50 200 1000"; PEERS_1000=0; FARM=1; TEARDOWN_ONLY=0; PROFILE_RUNS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; RUNS=3; PS_SIZES="0 50 200"; PROFILE_RUNS=2; shift;;
    --runs) RUNS=$2; shift 2;;
    --no-peers) PEERS=0; shift;;
    --ps-sizes) PS_SIZES=$2; shift 2;;
    --peers-1000) PEERS_1000=1; shift;;
    --no-farm) FARM=0; shift;;
    --teardown-only) TEARDOWN_ONLY=1; shift;;
    -h|--help) sed -n 2,21p "$0"; exit 0;;
    *) echo "unknown argument $1" >&2; exit 2;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "bench/run.sh must run as root" >&2; exit 1; }

REPO=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$REPO/bench
WORK=$BENCH/work
STATE=$WORK/state            # what this run made, for teardown
BASE=$WORK/baseline          # the host before the run
BERTH_BIN=${BERTH_BIN:-$REPO/bin/berth}
RESULTS=${BENCH_RESULTS:-$BENCH/RESULTS.md}
PODMAN=/usr/bin/podman
DOCKER=/usr/bin/docker       # /usr/local/bin/docker (another CLI) may come first in PATH
CONF=/etc/containers/containers.conf
MARK="# written by berth bench/run.sh"
IMG=localhost/benchbox:latest
RUNC_ROOT=/run/berth-bench-runc
TS=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$WORK/results-$TS
TIMES=$OUT/times
LEAKS=$WORK/leaks.txt   # moved into OUT by a normal run
UNATTRIBUTED=$WORK/unattributed.txt
mkdir -p "$WORK" "$STATE"
cd "$WORK" || exit 1         # conmon may drop an "oom" file into its cwd

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
# shellcheck source=bench/host.sh
. "$BENCH/host.sh"

teardown_all() {
  trap - EXIT INT TERM
  log "teardown"
  runc --root $RUNC_ROOT delete -f berth-bench-floor >/dev/null 2>&1
  rmdir $RUNC_ROOT 2>/dev/null
  teardown_berth
  teardown_peers
  restore_net
  if [ -d "$OUT" ]; then check_host > "$OUT/host-after.txt"; else check_host; fi
  [ -s "$OUT/host-after.txt" ] && log "host not as it was: $(tr '\n' ';' < "$OUT/host-after.txt")"
  log "teardown done"
}

if [ "$TEARDOWN_ONLY" = 1 ]; then teardown_all; exit 0; fi
trap teardown_all EXIT
trap 'log "interrupted"; exit 130' INT TERM

START_S=$(date +%s)
mkdir -p "$OUT" "$TIMES"
LEAKS=$OUT/leaks.txt; UNATTRIBUTED=$OUT/unattributed.txt
snapshot_host

# ------------------------------------------------------------------ packages
# The harness's own tools come from Debian too, so that `make bench` works on a fresh machine.
pkgs="hyperfine strace jq wrk"
if [ "$PEERS" = 1 ]; then pkgs="$pkgs podman docker.io netavark aardvark-dns catatonit uidmap slirp4netns fuse-overlayfs iptables"; fi
need=""
for p in $pkgs; do
  dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
  log "apt-get install$need (takes a few minutes the first time)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need > "$WORK/apt.log" 2>&1 \
    || { log "apt-get failed, see $WORK/apt.log"; exit 1; }
fi
for p in hyperfine jq runc conmon busybox strace; do command -v $p >/dev/null || { log "missing $p"; exit 1; }; done

# ------------------------------------------------------------------ the image: one busybox rootfs for all
ROOTFS=$WORK/rootfs; ROOTFS_TAR=$WORK/busybox-rootfs.tar; BUNDLE=$WORK/bundle
if [ ! -x "$ROOTFS/bin/busybox" ]; then
  rm -rf "$ROOTFS"; mkdir -p "$ROOTFS"/{bin,etc,proc,sys,dev,tmp,root}
  cp /bin/busybox "$ROOTFS/bin/busybox"
  ( cd "$ROOTFS/bin" && for a in $(./busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$a"; done )
  echo 'root:x:0:0:root:/root:/bin/sh' > "$ROOTFS/etc/passwd"; echo 'root:x:0:' > "$ROOTFS/etc/group"
fi
[ -s "$ROOTFS_TAR" ] || tar -C "$ROOTFS" -cf "$ROOTFS_TAR" .
if [ ! -f "$BUNDLE/config.json" ]; then
  rm -rf "$BUNDLE"; mkdir -p "$BUNDLE"
  ( cd "$BUNDLE" && runc spec ) && jq --arg r "$ROOTFS" \
    '.root = {path: $r, readonly: true} | .process.terminal = false | .process.args = ["/bin/true"] | .hostname = "bench"' \
    "$BUNDLE/config.json" > "$BUNDLE/c.json" && mv "$BUNDLE/c.json" "$BUNDLE/config.json"
fi
# conmon -> runc create/start/wait/delete driven from bash: the floor of what a conmon-based CLI does
cat > "$WORK/conmon-flow.sh" <<EOF
#!/bin/bash
S=\$(mktemp -d /run/berth-bench-cm.XXXXXX); id=berth-bench-cm-\$\$
mkdir -p \$S/exits \$S/sock
conmon --api-version 1 -c \$id -u \$id -r $(command -v runc) -b $BUNDLE -p \$S/pid -n \$id \\
  --exit-dir \$S/exits -l k8s-file:\$S/ctr.log --socket-dir-path \$S/sock --log-level error \\
  --runtime-arg --root=$RUNC_ROOT || exit 1
while [ ! -s \$S/pid ]; do sleep 0.001; done
runc --root=$RUNC_ROOT start \$id || exit 1
while [ ! -e \$S/exits/\$id ]; do sleep 0.001; done
runc --root=$RUNC_ROOT delete \$id; rc=\$(cat \$S/exits/\$id); rm -rf \$S; exit \$rc
EOF
chmod +x "$WORK/conmon-flow.sh"

# ------------------------------------------------------------------ berth
declare -A C LBL RMF OK WHY CMD PREP POST SKIP
BROOT=$(mktemp -d /tmp/berth-bench-root.XXXXXX); BRUN=$(mktemp -d /run/berth-bench-run.XXXXXX)
echo "$BROOT" > "$STATE/berth-root"; echo "$BRUN" > "$STATE/berth-runroot"
C[berth]="$BERTH_BIN --root $BROOT --runroot $BRUN"; LBL[berth]=""; RMF[berth]="${C[berth]} rm -f"
OK[berth]=0
if [ ! -e "$REPO/build/src/cli/main.js" ] && [ "$BERTH_BIN" = "$REPO/bin/berth" ]; then
  WHY[berth]="build/ missing (run make build)"
elif ! ${C[berth]} image import "$ROOTFS_TAR" "$IMG" > "$OUT/berth-import.out" 2>&1; then
  WHY[berth]="image import: $(tail -2 "$OUT/berth-import.out" | tr '\n' ' ')"
elif ! ${C[berth]} run --rm --network none "$IMG" true > "$OUT/berth-smoke.out" 2>&1; then
  WHY[berth]="run --rm --network none: $(tail -2 "$OUT/berth-smoke.out" | tr '\n' ' ')"
else
  OK[berth]=1
fi
[ "${OK[berth]}" = 1 ] || log "berth does not work yet: ${WHY[berth]}"

# ------------------------------------------------------------------ g. web farm
# First, before dockerd exists: docker sets the iptables FORWARD policy to DROP, and with
# br_netfilter that would drop the traffic between berth's proxy and its servers.
WEBFARM=$REPO/examples/webfarm/compose.yaml
if [ "$FARM" = 0 ]; then
  echo "skipped (--no-farm)" > "$OUT/webfarm.txt"
elif [ ! -f "$WEBFARM" ]; then
  echo "skipped: examples/webfarm/compose.yaml is not there" > "$OUT/webfarm.txt"
elif [ "${OK[berth]}" = 1 ]; then
  log "g. web farm (berth compose + wrk, against the same servers on the host)"
  if [ "$QUICK" = 1 ]; then FR=1; FS=4; else FR=2; FS=6; fi
  bash "$BENCH/webfarm.sh" "${C[berth]}" "$WEBFARM" "$OUT" "$FR" "$FS" > "$OUT/webfarm.log" 2>&1 || log "web farm failed, see $OUT/webfarm.log"
else
  echo "not measured: berth does not work (${WHY[berth]})" > "$OUT/webfarm.txt"
fi

# ------------------------------------------------------------------ podman
L="--label bench=berth-bench"
C[podman]=$PODMAN; LBL[podman]=$L; RMF[podman]="$PODMAN rm -f -t 0"; OK[podman]=0; WHY[podman]="not run (--no-peers)"
C[docker]=$DOCKER; LBL[docker]=$L; RMF[docker]="$DOCKER rm -f"; OK[docker]=0; WHY[docker]="not run (--no-peers)"
if [ "$PEERS" = 1 ]; then
  log "podman: runc, cgroupfs, file events, rlimits within the hard limits"
  if ! grep -q "$MARK" "$CONF" 2>/dev/null; then
    [ -e "$CONF" ] && cp "$CONF" "$STATE/containers.conf.orig"
    touch "$STATE/podman-conf"; mkdir -p "$(dirname "$CONF")"
    nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
    [ "$nofile" = unlimited ] && nofile=1048576; [ "$nproc" = unlimited ] && nproc=32768
    [ "$nproc" -gt 32768 ] && nproc=32768   # conmon runs with a hard NPROC of 32768 here
    cat > "$CONF" <<EOF
$MARK (restored on teardown)
# crun fails on hybrid cgroups -> runc; no systemd -> cgroupfs + file events; no CAP_SYS_RESOURCE ->
# podman's default rlimits (nofile 1048576, nproc 4194304) must be capped to the caller's hard limits.
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"

[network]
network_backend = "netavark"
EOF
  fi
  if ! $PODMAN image exists $IMG 2>/dev/null; then
    $PODMAN import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' "$ROOTFS_TAR" $IMG >/dev/null 2>"$OUT/podman-import.err" && touch "$STATE/podman-image"
  fi
  if $PODMAN run --rm --network none $IMG true 2>"$OUT/podman-smoke.err"; then OK[podman]=1
  else WHY[podman]="smoke test: $(tail -1 "$OUT/podman-smoke.err")"; log "podman: ${WHY[podman]}"; fi

  log "docker: starting dockerd"
  if ! $DOCKER info >/dev/null 2>&1; then
    nohup setsid /usr/sbin/dockerd --iptables=true --log-level=warn > "$WORK/dockerd.log" 2>&1 < /dev/null &
    echo $! > "$STATE/dockerd.pid"
    for _ in $(seq 1 60); do $DOCKER info >/dev/null 2>&1 && break; sleep 0.5; done
  fi
  if $DOCKER info >/dev/null 2>&1; then
    if ! $DOCKER image inspect $IMG >/dev/null 2>&1; then
      $DOCKER import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' "$ROOTFS_TAR" $IMG >/dev/null 2>"$OUT/docker-import.err" && touch "$STATE/docker-image"
    fi
    if $DOCKER run --rm --network none $IMG true 2>"$OUT/docker-smoke.err"; then OK[docker]=1
    else WHY[docker]="smoke test: $(tail -1 "$OUT/docker-smoke.err")"; log "docker: ${WHY[docker]}"; fi
  else
    WHY[docker]="dockerd did not come up (see bench/work/dockerd.log)"; log "${WHY[docker]}"
  fi
fi
TOOLS=(); for t in berth podman docker; do [ "${OK[$t]}" = 1 ] && { TOOLS+=("$t"); WHY[$t]=""; }; done
for t in berth podman docker; do echo "$t ${OK[$t]} ${WHY[$t]:-}"; done > "$OUT/tools.txt"

# ------------------------------------------------------------------ versions
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "host: $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r), $(nproc) CPUs, $(free -g | awk '/Mem:/{print $2}') GiB RAM"
  echo "cgroups: $(stat -fc %T /sys/fs/cgroup) at /sys/fs/cgroup (hybrid if tmpfs + unified)"
  echo "node: $(node --version); NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS:-unset}"
  echo "berth: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)$(git -C "$REPO" diff --quiet 2>/dev/null || echo '+uncommitted changes') ($BERTH_BIN)"
  echo "runc: $(runc --version | head -1)"; echo "conmon: $(conmon --version | head -1)"
  echo "hyperfine: $(hyperfine --version)"
  if [ "$PEERS" = 1 ]; then
    echo "podman: $($PODMAN --version) runtime=$($PODMAN info --format '{{.Host.OCIRuntime.Name}}' 2>/dev/null) net=$($PODMAN info --format '{{.Host.NetworkBackend}}' 2>/dev/null) storage=$($PODMAN info --format '{{.Store.GraphDriverName}}' 2>/dev/null)"
    echo "docker: $($DOCKER version --format 'client {{.Client.Version}} server {{.Server.Version}}' 2>/dev/null) containerd $(containerd --version 2>/dev/null | awk '{print $3}') storage=$($DOCKER info --format '{{.Driver}}' 2>/dev/null)"
  fi
} > "$OUT/versions.txt"

# ------------------------------------------------------------------ measuring
# measure ROW TOOL...: RUNS+1 rounds; in each, every tool once: PREP, then hyperfine times CMD
# (no shell, -N), then POST. Round 0 is the warm-up and is not kept. A tool that fails twice in a
# row is dropped from the row; its stderr goes to TIMES/ROW.TOOL.err.
measure() {
  local row=$1 r t; shift
  log "measure $row: $*"
  echo "$row start $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/loadavg.txt"
  for t in "$@"; do [ -n "${POST[$t]:-}" ] && bash -c "${POST[$t]}" >> "$OUT/prep.log" 2>&1; done
  for ((r = 0; r <= RUNS; r++)); do
    for t in "$@"; do
      [ "${SKIP[$row.$t]:-0}" -ge 2 ] && continue
      [ -n "${PREP[$t]:-}" ] && { bash -c "${PREP[$t]}" >> "$OUT/prep.log" 2>&1 || echo "prep failed: $row $t" >> "$OUT/prep.log"; }
      # shellcheck disable=SC2086
      # --output inherit: the command's stdout (container ids) and stderr (why it failed) land in files
      if hyperfine -N --runs 1 --style none --output inherit --export-json "$OUT/h.json" "${CMD[$t]}" > "$OUT/cmd.out" 2> "$OUT/h.err"; then
        [ "$t" = berth ] && grep -oE '\b[0-9a-f]{64}\b' "$OUT/cmd.out" >> "$STATE/berth-ids"
        SKIP[$row.$t]=0
        [ $r -gt 0 ] && jq -r '.results[0].times[0]' "$OUT/h.json" >> "$TIMES/$row.$t"
      else
        SKIP[$row.$t]=$(( ${SKIP[$row.$t]:-0} + 1 ))
        { echo "round $r: ${CMD[$t]}"; grep -v '^Error: Command terminated\|ignore-failure\|--show-output\|^$' "$OUT/h.err" | tail -3; } >> "$TIMES/$row.$t.err"
      fi
      [ -n "${POST[$t]:-}" ] && bash -c "${POST[$t]}" >> "$OUT/prep.log" 2>&1
    done
  done
  PREP=(); POST=(); CMD=()
}

# a. floors (interleaved among themselves)
mkdir -p $RUNC_ROOT
CMD[node]="node -e 0"
CMD[runc]="runc --root $RUNC_ROOT run --bundle $BUNDLE berth-bench-floor"
CMD[conmon_runc]="$WORK/conmon-flow.sh"
CMD[unshare]="unshare --fork --pid --mount --uts --ipc --net --cgroup true"
FLOORS=(node runc conmon_runc unshare)
CMD[node_nocerts]="env -u NODE_EXTRA_CA_CERTS node -e 0"
FLOORS+=(node_nocerts)
# what berth's `run` costs before it does any work: Node plus loading the code its verb needs
# (the one-file bundle `make build` makes, required without berth's code cache; else main.js and
# the container commands it loads lazily)
if [ -e "$REPO/build/bundle/berth.cjs" ]; then
  CMD[node_modules]="env -u NODE_EXTRA_CA_CERTS node -e \"require('$REPO/build/bundle/berth.cjs')\""
elif [ -e "$REPO/build/src/cli/main.js" ]; then
  CMD[node_modules]="env -u NODE_EXTRA_CA_CERTS node --input-type=module -e \"await import('$REPO/build/src/cli/main.js'); await import('$REPO/build/src/cli/commands/container.js')\""
fi
[ -n "${CMD[node_modules]:-}" ] && FLOORS+=(node_modules)
[ "${OK[berth]}" = 1 ] && { CMD[berth_version]="${C[berth]} version"; FLOORS+=(berth_version); }
[ "${OK[podman]}" = 1 ] && { CMD[podman_version]="$PODMAN --version"; FLOORS+=(podman_version); }
[ "${OK[docker]}" = 1 ] && { CMD[docker_version]="$DOCKER --version"; FLOORS+=(docker_version); }
measure floors "${FLOORS[@]}"

free_port() { local p; for p in $(seq 18080 18180); do ss -ltnH "sport = :$p" | grep -q . || { echo $p; return; }; done; }
PORT=$(free_port)

for_tools() {  # for_tools ROW TEMPLATE-FUNCTION: sets CMD/PREP/POST per tool via the function, then measures
  local row=$1 fn=$2 t; shift 2
  for t in "${TOOLS[@]}"; do $fn "$t"; done
  measure "$row" "${TOOLS[@]}"
}
if [ ${#TOOLS[@]} -gt 0 ]; then
  # b. run --rm true
  r_rm_none()   { CMD[$1]="${C[$1]} run --rm ${LBL[$1]} --network none $IMG true"; }
  r_rm_bridge() { CMD[$1]="${C[$1]} run --rm ${LBL[$1]} $IMG true"; }
  for_tools run_rm_none r_rm_none
  for_tools run_rm_bridge r_rm_bridge
  # c. run -d sleep
  r_d_none()   { CMD[$1]="${C[$1]} run -d ${LBL[$1]} --name bench-d --network none $IMG sleep 1000"; POST[$1]="${RMF[$1]} bench-d"; }
  r_d_bridge() { CMD[$1]="${C[$1]} run -d ${LBL[$1]} --name bench-d $IMG sleep 1000"; POST[$1]="${RMF[$1]} bench-d"; }
  r_d_port()   { CMD[$1]="${C[$1]} run -d ${LBL[$1]} --name bench-d -p $PORT:80 $IMG sleep 1000"; POST[$1]="${RMF[$1]} bench-d"; }
  for_tools run_d_none r_d_none
  for_tools run_d_bridge r_d_bridge
  for_tools run_d_port r_d_port
  # e. stop / rm (containers on the default bridge, as users run them)
  start_s() { echo "${C[$1]} run -d ${LBL[$1]} --name bench-s $IMG sleep 1000"; }
  r_stop()  { PREP[$1]="$(start_s "$1")"; CMD[$1]="${C[$1]} stop -t 0 bench-s"; POST[$1]="${RMF[$1]} bench-s"; }
  r_rm()    { PREP[$1]="$(start_s "$1") && ${C[$1]} stop -t 0 bench-s"; CMD[$1]="${C[$1]} rm bench-s"; POST[$1]="${RMF[$1]} bench-s"; }
  r_rmf()   { PREP[$1]="$(start_s "$1")"; CMD[$1]="${RMF[$1]} bench-s"; POST[$1]="${RMF[$1]} bench-s"; }
  for_tools stop_t0 r_stop
  for_tools rm_stopped r_rm
  for_tools rm_f_running r_rmf

  # d. ps -a with N containers; f. memory with the running ones
  populate() {  # populate TOOL FROM TO created|running
    local t=$1 from=$2 to=$3 what=$4 c
    [ "$to" -le "$from" ] && return
    if [ "$what" = created ]; then c="${C[$t]} create ${LBL[$t]} --name bench-ps-{} $IMG true"
    else c="${C[$t]} run -d ${LBL[$t]} --name bench-ps-{} $IMG sleep 1000"; fi
    seq "$from" $((to - 1)) | xargs -P 4 -I{} sh -c "$c >>$OUT/populate.$t.out 2>>$OUT/populate.$t.err"
  }
  declare -A HAVE
  for t in "${TOOLS[@]}"; do HAVE[$t]=0; done
  for n in $PS_SIZES; do
    PST=("${TOOLS[@]}")
    if [ "$n" -gt 200 ] && [ "$PEERS_1000" = 0 ]; then PST=(); [ "${OK[berth]}" = 1 ] && PST=(berth); fi
    [ ${#PST[@]} -gt 0 ] || continue
    for t in "${PST[@]}"; do
      s=$(date +%s)
      if [ "$n" -ge 200 ] && [ "${HAVE[$t]}" -lt 200 ]; then
        populate "$t" "${HAVE[$t]}" 100 created; populate "$t" 100 200 running
        [ "$n" -gt 200 ] && populate "$t" 200 "$n" created
      else
        populate "$t" "${HAVE[$t]}" "$n" created
      fi
      HAVE[$t]=$n
      echo "$t target=$n containers=$(${C[$t]} ps -aq | wc -l) running=$(${C[$t]} ps -q | wc -l) populate_s=$(( $(date +%s) - s ))" >> "$OUT/ps-counts.txt"
    done
    for t in "${PST[@]}"; do CMD[$t]="${C[$t]} ps -a"; done
    measure "ps_a_$n" "${PST[@]}"
    if [ "$n" -ge 200 ] && [ ! -e "$OUT/memory.txt" ]; then
      sleep 2
      bash "$BENCH/memory.sh" "$BROOT" "$BRUN" "${TOOLS[*]}" > "$OUT/memory.txt" 2> "$OUT/memory.err"
    fi
  done
  for t in "${TOOLS[@]}"; do
    ids=$(${C[$t]} ps -aq ${LBL[$t]:+--filter label=bench=berth-bench} 2>/dev/null)
    # shellcheck disable=SC2086
    [ -n "$ids" ] && ${RMF[$t]} $ids >/dev/null 2>&1
  done
fi

# berth's own processes once idle: after all its containers are gone there must be none
if [ "${OK[berth]}" = 1 ]; then
  sleep 2
  { for m in "$BROOT" "$BRUN"; do for p in $(pids_mentioning "$m"); do echo "$p $(tr '\0' ' ' < /proc/$p/cmdline)"; done; done; } | sort -u > "$OUT/berth-idle.txt"
fi

# ------------------------------------------------------------------ breakdown of berth's run
if [ "${OK[berth]}" = 1 ]; then
  log "breakdown of berth run, stop, rm, ps (timestamps of every program berth runs, cpu profile, runc with berth's config.json)"
  echo "profile start $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/loadavg.txt"
  bash "$BENCH/profile.sh" "${C[berth]}" "$IMG" "$OUT/profile" "$PROFILE_RUNS" "$ROOTFS" > "$OUT/profile.log" 2>&1 || log "profile failed, see $OUT/profile.log"
fi

teardown_all
echo "$(( $(date +%s) - START_S ))" > "$OUT/elapsed_s"
node "$BENCH/report.mjs" "$OUT" "$RUNS" > "$RESULTS" && log "wrote $RESULTS (raw data in $OUT)"
exit
}
