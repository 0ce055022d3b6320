#!/usr/bin/env bash
# bench/memory.sh BERTH_ROOT BERTH_RUNROOT "TOOLS" - memory left behind per running container.
# For each tool: its per-container monitor processes (berth and podman: conmon; docker:
# containerd-shim-runc-v2), their RSS and PSS, the container processes under them, and every
# other process the tool keeps running (berth: anything naming its root or runroot that is not a
# conmon, e.g. a DNS server; docker: dockerd + containerd). One line per tool, key=value, for
# report.mjs; berth's other processes are named on stderr.
set -uo pipefail
BROOT=$1; BRUN=$2; TOOLS=$3
SNAP=$(mktemp); trap 'rm -f "$SNAP"' EXIT
ps -eo pid=,ppid=,rss=,comm=,args= > "$SNAP"

pss_kb() { [ $# -gt 0 ] || { echo 0; return; }; ( cd /proc && awk '/^Pss:/{s += $2} END {print s + 0}' $(printf '%s/smaps_rollup ' "$@") 2>/dev/null ); }

for t in $TOOLS; do
  # select: monitors (m) and other processes (o) of tool t; payload = descendants of monitors
  read -r mons others line < <(awk -v t="$t" -v root="$BROOT" -v run="$BRUN" '
    { pid = $1; ppid[pid] = $2; rss[pid] = $3; comm[pid] = $4; $1 = $2 = $3 = $4 = ""; args[pid] = $0; kids[ppid[pid]] = kids[ppid[pid]] " " pid }
    function mine_b(p) { return index(args[p], run) || index(args[p], root) }
    function desc(p,   n, a, i, s) { s = 0; n = split(kids[p], a, " "); for (i = 1; i <= n; i++) { s += rss[a[i]]; np++; s += desc(a[i]) } return s }
    END {
      for (p in comm) {
        if (args[p] ~ /bench\/memory\.sh/) continue
        if (t == "berth") { if (!mine_b(p)) continue; if (comm[p] == "conmon") M[p] = 1; else O[p] = 1 }
        else if (t == "podman") { if (comm[p] == "conmon" && !mine_b(p) && args[p] ~ /libpod|containers\/storage/) M[p] = 1 }
        else if (t == "docker") {
          if (comm[p] == "containerd-shim" && args[p] ~ /-namespace moby/) M[p] = 1
          if (comm[p] == "dockerd" || comm[p] == "containerd") O[p] = 1
        }
      }
      for (p in M) { n++; r += rss[p]; pr += desc(p); ml = ml "," p }
      for (p in O) { on++; orr += rss[p]; ol = ol "," p }
      printf "%s %s tool=%s monitors=%d monitor_rss_kb=%d payload_procs=%d payload_rss_kb=%d other_procs=%d other_rss_kb=%d\n", (ml == "" ? "-" : substr(ml, 2)), (ol == "" ? "-" : substr(ol, 2)), t, n, r, np, pr, on, orr
    }' "$SNAP")
  # shellcheck disable=SC2086
  mp=$(pss_kb ${mons//,/ }); [ "$mons" = - ] && mp=0
  # shellcheck disable=SC2086
  op=$(pss_kb ${others//,/ }); [ "$others" = - ] && op=0
  echo "$line monitor_pss_kb=$mp other_pss_kb=$op"
  if [ "$t" = berth ] && [ "$others" != - ]; then
    for p in ${others//,/ }; do echo "berth other process $p: $(awk -v p="$p" '$1 == p {$1 = $2 = $3 = ""; print substr($0, 4, 200)}' "$SNAP")" >&2; done
  fi
done
