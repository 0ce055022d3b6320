#!/usr/bin/env bash
# bench/ab-runpath.sh OLD_BERTH NEW_BERTH: the run path's rows, before and after, with podman's
# --network none row beside them, in alternating rounds in one sitting; prints medians (ms).
#   run -d --network none, rm -f (running, none), rm (stopped, none), run -d (default bridge),
#   run -d -p PORT:80. Each tool in a root of its own under /tmp, removed at the end.
#   RUNS=N rounds (default 20). Podman as bench/run.sh configures it (runc, cgroupfs), via CONTAINERS_CONF.
set -euo pipefail
[ $# -eq 2 ] || { sed -n 2,6p "$0"; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
R=${RUNS:-20}; OUT=$(mktemp -d /tmp/ab-runpath.XXXX)
o="$1 --root /tmp/abr-old --runroot /tmp/abr-old-run"
n="$2 --root /tmp/abr-new --runroot /tmp/abr-new-run"
conf=$OUT/containers.conf
nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=32768:32768"]\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n[network]\nnetwork_backend = "netavark"\n' \
  "$nofile" "$nofile" > "$conf"
export CONTAINERS_CONF=$conf
p="podman --root /tmp/abr-pm --runroot /tmp/abr-pm-run --runtime runc --cgroup-manager cgroupfs --events-backend file"
for b in "$o" "$n"; do
  r=$(echo $b | awk '{print $3}'); rm -rf $r $r-run; mkdir -p $r; echo '{"search":[]}' > $r/registries.json
  $b image import $here/images/out/busybox.tar busybox >/dev/null
done
$p load -i $here/images/out/busybox.tar >/dev/null 2>&1
# Alternating rounds (old, new, podman, old, ...): each round runs every tool's prepare then its
# timed command, so the others' load on a shared machine falls on all tools alike. Round 0 warms up.
hf() {
  local name=$1 prep cmd t s e; shift
  local -a preps=() cmds=()
  while [ $# -gt 0 ]; do preps+=("$1"); cmds+=("$2"); shift 2; done
  for i in $(seq 0 "$R"); do
    for t in "${!cmds[@]}"; do
      sh -c "${preps[$t]}" >/dev/null 2>&1 || true
      s=$(date +%s%N); sh -c "${cmds[$t]}" >/dev/null 2>"$OUT/$name.err" || { echo "failed: ${cmds[$t]}"; cat "$OUT/$name.err"; }; e=$(date +%s%N)
      [ "$i" -gt 0 ] && echo "$t $(( (e - s) / 1000 ))" >> "$OUT/$name.us"
    done
  done
  echo "## $name (load $(cut -d' ' -f1-3 /proc/loadavg))"
  for t in "${!cmds[@]}"; do
    printf '%-8s median %6.1f ms  (n %s)  %s\n' "$(echo "${cmds[$t]}" | awk '{print $1}' | awk -F/ '{print ($NF=="berth" && NF>2) ? $(NF-2) : $NF}')" \
      "$(awk -v t="$t" '$1==t {print $2/1000}' "$OUT/$name.us" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')" \
      "$(awk -v t="$t" '$1==t' "$OUT/$name.us" | wc -l)" "${cmds[$t]#* --runroot * }"
  done
}
RM() { echo "$1 rm -f $2 >/dev/null 2>&1 || true"; }
# hf NAME PREPARE1 CMD1 PREPARE2 CMD2 ...
S="busybox sleep 1000"
hf run_d_none "$(RM "$o" rx)" "$o run -d --name rx --network none $S" "$(RM "$n" rx)" "$n run -d --name rx --network none $S" \
  "$p rm -f -t 0 rx" "$p run -d --name rx --network none $S"
hf rm_f_running "$o run -d --name ry --network none $S" "$o rm -f ry" "$n run -d --name ry --network none $S" "$n rm -f ry" \
  "$p run -d --name ry --network none $S" "$p rm -f -t 0 ry"
hf rm_stopped "$o run -d --name rs --network none $S; $o stop -t 0 rs" "$o rm rs" "$n run -d --name rs --network none $S; $n stop -t 0 rs" "$n rm rs" \
  "$p run -d --name rs --network none $S; $p stop -t 0 rs" "$p rm rs"
hf run_d_bridge "$(RM "$o" rb)" "$o run -d --name rb $S" "$(RM "$n" rb)" "$n run -d --name rb $S"
hf run_d_port "$(RM "$o" rp)" "$o run -d --name rp -p 18391:80 $S" "$(RM "$n" rp)" "$n run -d --name rp -p 18392:80 $S"
echo "results in $OUT"
# Whatever failed above, take everything down: each root's containers and networks, then podman's
# containers by name (before its storage goes, or their conmons would outlive it).
set +e
for b in "$o" "$n"; do
  r=$(echo $b | awk '{print $3}')
  ids=$($b ps -aq); [ -n "$ids" ] && $b rm -f $ids >/dev/null
  for net in $($b network ls --format json | jq -r 'if type == "array" then .[].Name else .Name end'); do $b network rm -f "$net" >/dev/null; done
  rm -rf $r $r-run
done
$p rm -f -t 0 rx ry rs >/dev/null 2>&1
$p rmi -fa >/dev/null 2>&1
rm -rf /tmp/abr-pm /tmp/abr-pm-run
