#!/usr/bin/env bash
# bench/webfarm.sh "BERTH CMD" COMPOSE_FILE OUTDIR [ROUNDS] [SECONDS] - issue 6 §g.
# Requests per second and p99 latency (wrk) through the web farm run by `berth compose` (nginx
# proxy on a published port in front of 3 busybox httpd), against the same nginx and 3 httpd run
# directly on the host: once with the CPU quotas the compose file gives the containers (cgroup v1
# cpu controller, so both sides have the same CPU), once without. Rounds alternate berth / host.
# Writes OUTDIR/webfarm.txt (markdown). Cleans up what it started, by pid, even on failure.
set -uo pipefail
{ # one group: read whole before it runs
B=$1; COMPOSE=$2; OUTD=$3; ROUNDS=${4:-3}; SECS=${5:-8}
REPO=$(cd "$(dirname "$0")/.." && pwd)
read -r -a BA <<< "$B"
H=$OUTD/webfarm-host; mkdir -p "$H"
PIDS=(); CGS=()
log() { printf '[webfarm %s] %s\n' "$(date +%T)" "$*" >&2; }

cleanup() {
  local p c
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  sleep 0.5
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  [ -s "$H/nginx.pid" ] && kill -KILL "$(cat "$H/nginx.pid")" 2>/dev/null   # the master; workers die with it
  for c in "${CGS[@]}"; do rmdir "$c" 2>/dev/null; done
  timeout 120 "${BA[@]}" compose -f "$COMPOSE" down > "$H/down.log" 2>&1
}
trap cleanup EXIT

fail() { echo "not measured: $*" > "$OUTD/webfarm.txt"; log "$*"; exit 1; }
for p in 8080 18090 18081 18082 18083; do ss -ltnH "sport = :$p" | grep -q . && fail "port $p is in use on the host"; done
command -v wrk > /dev/null || fail "wrk is not installed"
command -v nginx > /dev/null || fail "nginx is not installed on the host"

# images the compose file names, from images/build.sh
for i in busybox nginx; do
  if ! "${BA[@]}" image inspect "localhost/$i:latest" > /dev/null 2>&1; then
    [ -s "$REPO/images/out/$i.tar" ] || (cd "$REPO" && bash images/build.sh) > "$H/images.log" 2>&1
    "${BA[@]}" load -i "$REPO/images/out/$i.tar" > "$H/load-$i.log" 2>&1 \
      || "${BA[@]}" image import "$REPO/images/out/$i.tar" "localhost/$i:latest" >> "$H/load-$i.log" 2>&1 \
      || fail "berth load -i images/out/$i.tar: $(tail -1 "$H/load-$i.log")"
    "${BA[@]}" image inspect "localhost/$i:latest" > /dev/null 2>&1 || fail "images/out/$i.tar did not give localhost/$i:latest: $(tail -1 "$H/load-$i.log")"
  fi
done

log "berth compose up"
timeout 300 "${BA[@]}" compose -f "$COMPOSE" up -d > "$H/up.log" 2>&1 || fail "berth compose up: $(tail -2 "$H/up.log" | tr '\n' ' ')"
ok=0; for _ in $(seq 1 60); do curl -sf -o /dev/null http://127.0.0.1:8080/ && { ok=1; break; }; sleep 0.5; done
[ $ok = 1 ] || fail "the farm did not answer on 127.0.0.1:8080 within 30 s"

# the same servers on the host: busybox httpd with the same page, nginx with the proxy's directives
for n in 1 2 3; do
  mkdir -p "$H/www$n"
  printf '<!doctype html><title>web farm</title><h1>web instance webfarm-web-%s at %s</h1>\n' "$n" "127.0.0.1:1808$n" > "$H/www$n/index.html"
  busybox httpd -f -v -p "127.0.0.1:1808$n" -h "$H/www$n" 2> "$H/httpd$n.log" &
  PIDS+=($!)
done
cat > "$H/nginx.conf" <<EOF
worker_processes 1;
pid $H/nginx.pid;
error_log stderr notice;
events { worker_connections 256; }
http {
  log_format farm '\$remote_addr "\$request" \$status via \$upstream_addr';
  access_log $H/access.log farm;
  # max_fails=0: like the container proxy (which resolves "web" per request and has no upstream
  # group), a slow server is retried, never marked down (else: 502 "no live upstreams")
  upstream farm { server 127.0.0.1:18081 max_fails=0; server 127.0.0.1:18082 max_fails=0; server 127.0.0.1:18083 max_fails=0; }
  proxy_next_upstream_tries 0;
  server {
    listen 127.0.0.1:18090 default_server;
    location / {
      proxy_pass http://farm;
      proxy_connect_timeout 1s;
      proxy_read_timeout 5s;
      proxy_next_upstream error timeout http_502 http_503 http_504;
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$remote_addr;
      add_header X-Upstream \$upstream_addr always;
    }
  }
}
EOF
mkdir -p "$H/nginx-prefix/logs"
nginx -p "$H/nginx-prefix" -c "$H/nginx.conf" -g 'daemon off;' 2> "$H/nginx.err" &
PIDS+=($!)
ok=0; for _ in $(seq 1 40); do curl -sf -o /dev/null http://127.0.0.1:18090/ && { ok=1; break; }; sleep 0.25; done
[ $ok = 1 ] || fail "host nginx did not answer: $(tail -2 "$H/nginx.err")"

# CPU quotas as in the compose file (web 0.25 CPU each, proxy 0.5), switched on per round
cg_make() { local c=/sys/fs/cgroup/cpu/berth-bench-farm-$1; mkdir -p "$c" && CGS+=("$c"); echo "$c"; }
host_limits() {  # on|off
  local i c pid q
  for i in 1 2 3 proxy; do
    c=/sys/fs/cgroup/cpu/berth-bench-farm-$i; [ -d "$c" ] || cg_make "$i" > /dev/null
    if [ "$i" = proxy ]; then q=50000; else q=25000; fi
    [ "$1" = on ] || q=-1
    echo 100000 > "$c/cpu.cfs_period_us"; echo "$q" > "$c/cpu.cfs_quota_us"
  done
  for i in 1 2 3; do echo "${PIDS[$((i - 1))]}" > /sys/fs/cgroup/cpu/berth-bench-farm-$i/cgroup.procs; done
  for pid in $(cat "$H/nginx.pid") $(pgrep -P "$(cat "$H/nginx.pid")"); do echo "$pid" > /sys/fs/cgroup/cpu/berth-bench-farm-proxy/cgroup.procs; done
}
host_limits on 2> "$H/cgroup.err" || echo "could not set host cpu quotas" >> "$H/cgroup.err"

bench() {  # bench NAME URL
  wrk -t2 -c32 -d"${SECS}s" --latency "$2" > "$H/wrk-$1-$r.txt" 2>&1
  local rps p99
  rps=$(awk '/^Requests\/sec:/{print $2}' "$H/wrk-$1-$r.txt")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' "$H/wrk-$1-$r.txt")
  echo "$1 round=$r rps=${rps:-0} p99_ms=${p99:-nan} non2xx=$(awk '/Non-2xx/{print $NF}' "$H/wrk-$1-$r.txt")" >> "$H/wrk.txt"
}
: > "$H/wrk.txt"
for r in $(seq 1 "$ROUNDS"); do
  log "round $r"
  bench berth http://127.0.0.1:8080/
  host_limits on 2>> "$H/cgroup.err"; bench host_quota http://127.0.0.1:18090/
  host_limits off 2>> "$H/cgroup.err"; bench host_free http://127.0.0.1:18090/
done

node - "$H/wrk.txt" "$SECS" "$ROUNDS" > "$OUTD/webfarm.txt" <<'EOF'
const [f, secs, rounds] = process.argv.slice(2);
const rows = require('fs').readFileSync(f, 'utf8').trim().split('\n').map((l) => Object.fromEntries(l.split(' ').slice(1).map((kv) => kv.split('=')).concat([['name', l.split(' ')[0]]])));
const med = (xs) => { const s = xs.map(Number).sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const by = (n) => rows.filter((r) => r.name === n);
const o = [];
o.push(`wrk -t2 -c32 -d${secs}s --latency, ${rounds} rounds alternating berth / host; medians (all rounds).`);
o.push('');
o.push('| target | req/s | p99 latency ms | rounds (req/s) | non-2xx answers | ÷ berth req/s |');
o.push('|---|---:|---:|---|---:|---:|');
const b = med(by('berth').map((r) => r.rps));
const label = { berth: 'berth web farm: host :8080 → published port → nginx proxy container → 3 httpd containers (berth bridges)',
  host_quota: 'same nginx + 3 busybox httpd on the host, same CPU quotas (web 0.25, proxy 0.5 CPU)',
  host_free: 'same nginx + 3 busybox httpd on the host, no CPU quotas' };
for (const n of ['berth', 'host_quota', 'host_free']) {
  const rs = by(n); if (!rs.length) continue;
  const rps = med(rs.map((r) => r.rps));
  o.push(`| ${label[n]} | ${rps.toFixed(0)} | ${med(rs.map((r) => r.p99_ms)).toFixed(2)} | ${rs.map((r) => Number(r.rps).toFixed(0)).join(', ')} | ${rs.map((r) => r.non2xx || 0).join(', ')} | ${(rps / b).toFixed(2)} |`);
}
const q = med(by('host_quota').map((r) => r.rps));
o.push('');
o.push(`**berth ÷ host (same quotas): ${(b / q).toFixed(2)}× the requests per second** (target ≥ 0.9); berth ÷ host without quotas: ${(b / med(by('host_free').map((r) => r.rps))).toFixed(2)}×.`);
o.push('The host nginx uses a static upstream of the three servers; the container proxy resolves "web" through berth\'s DNS (valid=1s), as the compose file configures it.');
console.log(o.join('\n'));
EOF
log "done"
exit 0
}
