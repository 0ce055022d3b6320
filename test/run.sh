#!/usr/bin/env bash
# Runs every test in one node:test run: unit tests, then the root-only integration and end-to-end
# tests, then the leak check, which compares the host with the snapshot taken here first.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "test/run.sh: integration tests need root" >&2; exit 1; }
export BERTH_LEAK_BASELINE=$(mktemp /tmp/berth-leak-baseline.XXXXXX)
node build/test/leak.js snapshot > "$BERTH_LEAK_BASELINE"
unit="$(find build/src -name '*.test.js' ! -name '*.integration.test.js' | sort) build/test/lint.test.js build/test/house-rules.test.js"
integ=$(find build/src -name '*.integration.test.js' | sort)
e2e=$(find build/test/e2e -name '*.test.js' | sort)
# One file at a time: integration tests share the host's kernel (bridges, nftables, cgroups).
set +e
node --test --test-concurrency=1 --test-timeout=600000 $unit $integ $e2e build/test/zz-leak-check.test.js
rc=$?
set -e
rm -f "$BERTH_LEAK_BASELINE"
exit $rc
