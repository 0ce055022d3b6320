#!/usr/bin/env bash
# bench/api.sh: `docker run -d` and `docker ps` through `berth serve`, next to `berth run -d` and
# `berth ps` on the same root, and the docker CLI through podman's own API service
# (`podman system service`), in one sitting; hyperfine interleaves them. No dockerd runs on this
# machine (it would take over the host's iptables and bridges under the other engineers' tests),
# so podman's service stands in for it: the other daemon-shaped server that speaks this API.
#   bash bench/api.sh                       (RUNS=N, default 15; from the repository's top)
# Every container is --network none, so that the figures are the servers' and not the bridges'.
# podman runs on a root of its own with the vfs driver, so that nothing of it is mounted on the
# host after its teardown.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
W=/tmp/bench-api; rm -rf $W; mkdir -p $W/dcfg
B="$here/bin/berth --root $W/berth --runroot $W/berth-run"
# runc as berth's, and ulimits within this machine's hard limits: podman's API service asks the
# runtime for nofile 1048576, which the sandbox refuses.
P="podman --root $W/podman --runroot $W/podman-run --storage-driver vfs --cgroup-manager cgroupfs --events-backend none --runtime runc"
printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n' > $W/containers.conf
mkdir -p $W/berth; echo '{"search":[]}' > $W/berth/registries.json
$B image import $here/images/out/busybox.tar busybox >/dev/null
$P load -q -i $here/images/out/busybox.tar >/dev/null 2>&1
$P tag "$($P images -q | head -1)" docker.io/library/busybox:latest >/dev/null 2>&1
$B serve --socket $W/berth.sock 2>$W/berth-serve.log & bpid=$!
CONTAINERS_CONF=$W/containers.conf $P system service --time=0 unix://$W/podman.sock 2>$W/podman-serve.log & ppid=$!
cleanup() {
  kill $bpid $ppid 2>/dev/null || true; wait $bpid $ppid 2>/dev/null || true
  ids=$($B ps -aq); [ -n "$ids" ] && $B rm -f $ids >/dev/null
  for net in $($B network ls --format json | jq -r '.Name'); do $B network rm -f "$net" >/dev/null; done
  $P rm -af -t 0 >/dev/null 2>&1 || true
  if grep -q " $W" /proc/self/mountinfo; then echo "bench/api.sh: something is still mounted under $W" >&2; fi
  rm -rf $W
}
trap cleanup EXIT
for s in $W/berth.sock $W/podman.sock; do for _ in $(seq 100); do [ -S $s ] && break; sleep 0.1; done; done
DB="env DOCKER_CONFIG=$W/dcfg DOCKER_HOST=unix://$W/berth.sock docker"
DP="env DOCKER_CONFIG=$W/dcfg DOCKER_HOST=unix://$W/podman.sock docker"
for i in $(seq 20); do $B create --network none busybox true >/dev/null; $P create --network none busybox true >/dev/null 2>&1; done
echo "## docker ps -a, 20 containers"
hyperfine -N -w 3 -r ${RUNS:-15} "$B ps -a" "$DB ps -a" "$DP ps -a" 2>&1 | grep -E "Benchmark|Time|±"
echo "## run -d --network none busybox sleep 1000"
hyperfine -w 2 -r ${RUNS:-15} \
  -p "$B rm -f bx >/dev/null 2>&1 || true" -p "$B rm -f bx >/dev/null 2>&1 || true" -p "$P rm -f -t 0 bx >/dev/null 2>&1 || true" \
  "$B run -d --name bx --network none busybox sleep 1000" \
  "$DB run -d --name bx --network none busybox sleep 1000" \
  "$DP run -d --name bx --network none busybox sleep 1000" 2>&1 | grep -E "Benchmark|Time|±"
