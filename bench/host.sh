# bench/host.sh - sourced by bench/run.sh: snapshot the host before the benchmark and put it back
# afterwards. Everything here must be safe to run twice and after a half-finished run, because
# teardown runs from an EXIT trap and from `run.sh --teardown-only`.
#
# Needs: WORK, STATE, BASE, PODMAN, DOCKER, CONF, log(), and for berth BERTH_BIN.

# ------------------------------------------------------------------ baseline
snapshot_host() {
  [ -d "$BASE" ] && return 0   # a previous run died before restoring: keep its (older, true) baseline
  mkdir -p "$BASE"
  iptables-save > "$BASE/iptables.v4" 2>/dev/null
  ip6tables-save > "$BASE/iptables.v6" 2>/dev/null
  ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' > "$BASE/links.txt"
  ls /run/netns 2>/dev/null > "$BASE/netns.txt"
  nft list tables > "$BASE/nft-tables.txt" 2>/dev/null
  sysctl -n net.ipv4.ip_forward > "$BASE/ip_forward"
  cat /proc/sys/net/bridge/bridge-nf-call-iptables > "$BASE/bridge-nf-call-iptables" 2>/dev/null
  cat /proc/sys/net/bridge/bridge-nf-call-ip6tables > "$BASE/bridge-nf-call-ip6tables" 2>/dev/null
  mountpoint -q /run/netns && touch "$BASE/netns-was-mounted"
  for c in /sys/fs/cgroup/*/berth; do [ -d "$c" ] && echo "$c"; done > "$BASE/berth-cgroups.txt"
  pgrep -x conmon > "$WORK/conmon-before.txt"
}

# ------------------------------------------------------------------ pieces of teardown
restore_ipt() {  # $1 = iptables|ip6tables, $2 = dump taken before the peers ran
  local t c pol
  for t in $($1-save 2>/dev/null | sed -n 's/^\*//p'); do
    grep -q "^\*$t\$" "$2" 2>/dev/null && continue
    $1-save -t "$t" | sed -n 's/^:\([A-Z]*\) \([A-Z]*\) .*/\1 \2/p' | while read -r c pol; do
      [ "$pol" = ACCEPT ] || $1 -t "$t" -P "$c" ACCEPT; done
    $1 -t "$t" -F; $1 -t "$t" -X
  done
  [ -s "$2" ] && $1-restore < "$2"
}

# pids of processes whose command line mentions $1 (never matched by name: only by a path we own)
pids_mentioning() {
  local f pid
  for f in /proc/[0-9]*/cmdline; do
    pid=${f#/proc/}; pid=${pid%/cmdline}
    [ "$pid" = $$ ] && continue
    tr '\0' ' ' 2>/dev/null < "$f" | grep -qF -- "$1" && echo "$pid"
  done
}

teardown_berth() {
  local root run ids id pid m
  [ -s "$STATE/berth-root" ] || return 0
  root=$(cat "$STATE/berth-root"); run=$(cat "$STATE/berth-runroot" 2>/dev/null)
  log "teardown: berth root $root runroot $run"
  if [ -d "$root" ] && [ -x "$BERTH_BIN" ]; then
    ids=$(timeout 60 "$BERTH_BIN" --root "$root" --runroot "$run" ps -aq --no-trunc 2>/dev/null)
    echo "$ids" >> "$STATE/berth-ids"
    # shellcheck disable=SC2086
    [ -n "$ids" ] && timeout 300 "$BERTH_BIN" --root "$root" --runroot "$run" rm -f $ids >/dev/null 2>>"$WORK/teardown.err"
    # networks are this root's own (its default bridge, DNS server): removing them is not a leak
    for n in $(timeout 60 "$BERTH_BIN" --root "$root" --runroot "$run" network ls -q 2>/dev/null); do
      br=$(timeout 60 "$BERTH_BIN" --root "$root" --runroot "$run" network inspect "$n" 2>/dev/null | jq -r '.[0].Options["com.docker.network.bridge.name"] // empty' 2>/dev/null)
      timeout 60 "$BERTH_BIN" --root "$root" --runroot "$run" network rm "$n" >/dev/null 2>>"$WORK/teardown.err"
      # berth may keep its default network (as docker does): its bridge is expected, not a leak
      [ -n "$br" ] && ip link del "$br" 2>/dev/null
    done
  fi
  # Whatever berth could not remove: its conmon/runc processes, runc state, mounts, cgroups.
  for m in "$run" "$root"; do
    [ -n "$m" ] || continue
    for pid in $(pids_mentioning "$m"); do
      echo "teardown: killing leftover pid $pid: $(tr '\0' ' ' < /proc/$pid/cmdline 2>/dev/null)" >> "$LEAKS"
      kill -KILL "$pid" 2>/dev/null
    done
  done
  for d in "$run"/runc "$run"/crun; do
    [ -d "$d" ] || continue
    for id in $(runc --root "$d" list -q 2>/dev/null); do runc --root "$d" delete -f "$id" >/dev/null 2>&1; done
  done
  for m in "$run" "$root"; do
    [ -n "$m" ] || continue
    awk -v p="$m" '$5 == p || index($5, p "/") == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r mp; do
      echo "teardown: leftover mount $mp" >> "$LEAKS"; umount -l "$mp" 2>/dev/null
    done
  done
  # kernel objects named after this root's containers (every id it printed or listed), which
  # berth should have removed: netns berth-<id:12>, host veths berth<id:9><n>
  for id in $(grep -ohE '\b[0-9a-f]{64}\b' "$STATE/berth-ids" "$OUT"/*.log "$OUT"/*.out 2>/dev/null | sort -u); do
    if [ -e "/run/netns/berth-${id:0:12}" ]; then
      echo "teardown: leftover netns berth-${id:0:12} of container $id" >> "$LEAKS"; ip netns del "berth-${id:0:12}" 2>/dev/null
    fi
    for l in $(ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | grep "^berth${id:0:9}"); do
      echo "teardown: leftover link $l of container $id" >> "$LEAKS"; ip link del "$l" 2>/dev/null
    done
  done
  rm -f "$STATE/berth-ids"
  # cgroups berth made for containers of this root (named by container id, under /berth)
  for c in /sys/fs/cgroup/*/berth; do
    [ -d "$c" ] || continue
    find "$c" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null
    grep -qx "$c" "$BASE/berth-cgroups.txt" 2>/dev/null || rmdir "$c" 2>/dev/null
  done
  rm -rf "$root" "$run"
  rm -f "$STATE/berth-root" "$STATE/berth-runroot"
}

teardown_peers() {
  local ids pid
  if [ -x "$PODMAN" ]; then
    ids=$($PODMAN ps -aq --filter label=bench=berth-bench 2>/dev/null)
    # shellcheck disable=SC2086
    [ -n "$ids" ] && $PODMAN rm -f -t 0 $ids >/dev/null 2>&1
    [ -e "$STATE/podman-image" ] && { $PODMAN rmi -f "$IMG" >/dev/null 2>&1; rm -f "$STATE/podman-image"; }
  fi
  if [ -x "$DOCKER" ] && [ -s "$STATE/dockerd.pid" ] && $DOCKER info >/dev/null 2>&1; then
    ids=$($DOCKER ps -aq --filter label=bench=berth-bench 2>/dev/null)
    # shellcheck disable=SC2086
    [ -n "$ids" ] && $DOCKER rm -f $ids >/dev/null 2>&1
    [ -e "$STATE/docker-image" ] && { $DOCKER rmi -f "$IMG" >/dev/null 2>&1; rm -f "$STATE/docker-image"; }
  fi
  if [ -s "$STATE/dockerd.pid" ]; then
    pid=$(cat "$STATE/dockerd.pid")
    if [ -d "/proc/$pid" ] && grep -q dockerd "/proc/$pid/cmdline"; then
      log "teardown: stopping dockerd pid $pid (SIGTERM; it stops the containerd it started)"
      kill -TERM "$pid"
      for _ in $(seq 1 60); do [ -d "/proc/$pid" ] || break; sleep 0.5; done
      [ -d "/proc/$pid" ] && log "WARNING: dockerd $pid still alive"
    fi
    rm -f "$STATE/dockerd.pid"
  fi
  if [ -e "$STATE/podman-conf" ]; then
    if [ -e "$STATE/containers.conf.orig" ]; then cp "$STATE/containers.conf.orig" "$CONF"; else rm -f "$CONF"; fi
    rm -f "$STATE/podman-conf" "$STATE/containers.conf.orig"
  fi
}

restore_net() {
  local l n fam name
  [ -d "$BASE" ] || return 0
  log "teardown: host network state back to the baseline"
  for l in $(ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//'); do
    grep -qx "$l" "$BASE/links.txt" && continue
    case "$l" in
      docker0|podman0|veth*) ip link del "$l" 2>/dev/null ;;
      # not named after one of this run's containers: another berth user on this host (tests
      # run concurrently here) may own it, so it is reported, not removed
      berth*) echo "link $l" >> "$UNATTRIBUTED" ;;
    esac
  done
  for n in $(ls /run/netns 2>/dev/null); do
    grep -qx "$n" "$BASE/netns.txt" && continue
    case "$n" in
      netns-*) ip netns del "$n" 2>/dev/null ;;   # netavark's (podman's)
      berth-*) echo "netns $n" >> "$UNATTRIBUTED" ;;
    esac
  done
  restore_ipt iptables "$BASE/iptables.v4"
  restore_ipt ip6tables "$BASE/iptables.v6"
  # tables iptables-nft, netavark or berth made, once empty (berth's own table: when berth0 is gone)
  nft list tables 2>/dev/null | while read -r _ fam name; do
    grep -qx "table $fam $name" "$BASE/nft-tables.txt" && continue
    # berth's one table is shared by every berth root: drop it only when no berth bridge is left
    if [ "$name" = berth ]; then ip -o link | grep -q ': berth' || nft delete table "$fam" "$name"; continue; fi
    [ -n "$(nft list table "$fam" "$name" | grep -E '^\s+(ip|tcp|udp|meta|counter|jump|iifname|oifname|ct|fib)')" ] || nft delete table "$fam" "$name"
  done
  sysctl -q -w net.ipv4.ip_forward="$(cat "$BASE/ip_forward")"
  [ -s "$BASE/bridge-nf-call-iptables" ] && cat "$BASE/bridge-nf-call-iptables" > /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null
  [ -s "$BASE/bridge-nf-call-ip6tables" ] && cat "$BASE/bridge-nf-call-ip6tables" > /proc/sys/net/bridge/bridge-nf-call-ip6tables 2>/dev/null
  # netavark bind-mounts /run/netns onto itself
  if [ ! -e "$BASE/netns-was-mounted" ] && mountpoint -q /run/netns && [ -z "$(ls -A /run/netns)" ]; then
    umount /run/netns && rmdir /run/netns 2>/dev/null
  fi
  rm -rf "$BASE"
}

# Lists what is still there that was not before (empty when the host is back as it was).
check_host() {
  local l
  for l in $(ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//'); do
    case "$l" in docker0|podman0|veth*) echo "link $l";; esac
  done
  ls /run/netns 2>/dev/null | grep -v '^berth' | sed 's/^/netns /'
  # conmon of podman, or naming a berth-bench path; other berth users' conmons (tests run here) are theirs
  for l in $(pgrep -x conmon); do
    grep -qx "$l" "$WORK/conmon-before.txt" 2>/dev/null && continue
    tr '\0' ' ' 2>/dev/null < "/proc/$l/cmdline" | grep -qE 'libpod|containers/storage|berth-bench' && echo "conmon pid $l"
  done
  pgrep -x dockerd | sed 's/^/dockerd pid /'
  pgrep -x containerd-shim | sed 's/^/shim pid /'
}
