#!/usr/bin/env bash
# `make demo`: the web farm up (detached), its URL and ten answers, then back to the prompt.
# Running it again is harmless: up leaves a farm that is already running as it is.
# `demo.sh down` (or `make demo-down`) removes it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
berth() { "$repo/bin/berth" "$@"; }
compose() { berth compose -f "$here/compose.yaml" "$@"; }
url="http://127.0.0.1:8080/"

if [[ "${1:-}" == "down" ]]; then
  compose down
  exit 0
fi

for img in busybox nginx; do
  if ! berth image inspect "localhost/$img:latest" >/dev/null 2>&1; then
    echo "importing localhost/$img:latest"
    berth image import "$repo/images/out/$img.tar" >/dev/null
  fi
done

compose up -d

# The proxy answers as soon as nginx has bound its port; give it a few seconds at most.
for _ in $(seq 1 50); do
  curl -fsS -m 2 -o /dev/null "$url" 2>/dev/null && break
  sleep 0.2
done

echo
echo "The web farm is up: $url"
echo
for i in $(seq 1 10); do
  answer="$(curl -fsS -m 5 "$url" 2>&1 | sed -e 's/.*<h1>//' -e 's/<\/h1>.*//')" || answer="(no answer: $answer)"
  printf '  request %2d: %s\n' "$i" "$answer"
done
echo
compose ps
cat <<TXT

Try:
  curl $url
  bin/berth compose -f examples/webfarm/compose.yaml up -d --scale web=5   # more servers
  bin/berth stop webfarm-web-2                                            # one server down: the proxy keeps serving
  bin/berth compose -f examples/webfarm/compose.yaml logs -f proxy         # which server answered each request
  make demo-down                                                               # remove it all
TXT
