#!/usr/bin/env bash
# Builds localhost/berth:latest (images/berth/Containerfile) with berth itself, as the OCI archive
# images/out/berth.tar, for running berth inside a berth container (docs/nested.md). Not part of
# `make build` (the archive is 55 MB, most of it node); test/e2e/nested.test.ts and
# `make berth-image` run this. It is rebuilt only when a file it holds has changed: the sha256
# of every input is kept beside the archive in berth.tar.key. Needs berth and images/out/busybox.tar
# built (make build). Nothing is downloaded: every file comes from this host (rootfs.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$repo/images/out"
berth="$repo/bin/berth"
[[ -e "$repo/build/bundle/berth.cjs" && -e "$out/busybox.tar" ]] || { echo "images/berth/build.sh: berth is not built; run make build" >&2; exit 1; }

inputs="$(bash "$here/rootfs.sh" --list "$repo")"
key="$({ xargs -d '\n' sha256sum <<<"$inputs" | awk '{print $1}'; sha256sum "$here"/* "$out/busybox.tar" | awk '{print $1}'; } | sha256sum | awk '{print $1}')"
if [[ -e "$out/berth.tar" && "$(cat "$out/berth.tar.key" 2>/dev/null)" == "$key" ]]; then
  echo "images/out/berth.tar is up to date" >&2
  exit 0
fi

ctx="$(mktemp -d /tmp/berth-image-ctx-XXXXXX)"
root="$(mktemp -d /tmp/berth-image-root-XXXXXX)"
runroot="$(mktemp -d /tmp/berth-image-run-XXXXXX)"
b() { "$berth" --root "$root" --runroot "$runroot" "$@"; }
cleanup() {
  b image prune -a -f >/dev/null 2>&1 || true
  rm -rf "$ctx" "$root" "$runroot"
}
trap cleanup EXIT

# A context of its own: the 130 MB root filesystem stays out of images/, the context of the
# other example images.
bash "$here/rootfs.sh" "$repo" "$ctx/berth.tar"
cp "$here/Containerfile" "$ctx/Containerfile"
b image import "$out/busybox.tar" >/dev/null
echo "building localhost/berth:latest from images/berth/Containerfile" >&2
b build --network none -f "$ctx/Containerfile" -t localhost/berth:latest "$ctx" >&2
b image save --format oci-archive -o "$out/berth.tar.tmp" localhost/berth:latest
mv "$out/berth.tar.tmp" "$out/berth.tar"
echo "$key" > "$out/berth.tar.key"
echo "built $out/berth.tar (localhost/berth:latest)" >&2
