#!/bin/bash
# Pull and load of bench/images.sh's big image, before / after / podman interleaved in one sitting,
# from a registry of our own on 127.0.0.1:5057 serving a COPY of a before tree's registry dir.
# Usage: bench/unpack-pull-load.sh <before tree> <rounds> <work dir>
set -uo pipefail
BEFORE=$1 RUNS=$2 W=$3
AFTER=$(cd "$(dirname "$0")/.." && pwd)
REG=127.0.0.1:5057; IMG=$REG/bench/big:latest
P="podman --root $W/pm --runroot $W/pm-run --storage-driver overlay --runtime runc --cgroup-manager cgroupfs"
mkdir -p "$W"; rm -rf "$W/registry"; cp -a "$BEFORE/bench/work/img/registry" "$W/registry"
printf 'version: 0.1\nstorage: { filesystem: { rootdirectory: %s/registry } }\nhttp: { addr: %s }\nlog: { level: error }\n' "$W" "$REG" > "$W/registry.yml"
docker-registry serve "$W/registry.yml" > "$W/registry.log" 2>&1 & reg_pid=$!
cleanup() { kill "$reg_pid"; $P rmi -af >/dev/null 2>&1; $P system reset -f >/dev/null 2>&1; rm -rf "$W/b" "$W/b-run" "$W/pm" "$W/pm-run" "$W"/*.tar; }
trap cleanup EXIT
for _ in $(seq 50); do curl -sf "http://$REG/v2/" >/dev/null && break; sleep 0.1; done
fresh() { rm -rf "$W/b" "$W/b-run"; mkdir -p "$W/b"; echo "{\"search\":[],\"insecure\":[\"$REG\"]}" > "$W/b/registries.json"; }
timed() { local label=$1; shift; sync; /usr/bin/time -f '%e' -o "$W/t" "$@" >/dev/null 2>"$W/err" || { echo "$label failed: $(tail -2 "$W/err")" >&2; return; }
  echo "$round $label $(cat "$W/t") $(cut -d' ' -f1 /proc/loadavg)"; }
fresh; "$BEFORE/bin/berth" --root "$W/b" --runroot "$W/b-run" pull -q $IMG >/dev/null && "$BEFORE/bin/berth" --root "$W/b" --runroot "$W/b-run" save -o "$W/berth.tar" $IMG
$P pull -q --tls-verify=false $IMG >/dev/null && $P save -q -o "$W/podman.tar" $IMG; $P rmi -af >/dev/null 2>&1
for round in $(seq "$RUNS"); do
  for who in before after; do
    [ $who = before ] && B=$BEFORE || B=$AFTER
    b="$B/bin/berth --root $W/b --runroot $W/b-run"
    fresh; timed "pull-$who" $b pull -q $IMG
    fresh; timed "load-$who" $b load -q -i "$W/berth.tar"
  done
  fresh
  timed pull-podman $P pull -q --tls-verify=false $IMG; $P rmi -af >/dev/null 2>&1
  timed load-podman $P load -q -i "$W/podman.tar"; $P rmi -af >/dev/null 2>&1
done
