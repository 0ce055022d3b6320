#!/usr/bin/env bash
# Builds the example images with berth itself, as OCI archives in images/out/:
#   busybox.tar  localhost/busybox:latest  from images/busybox/Containerfile
#   nginx.tar    localhost/nginx:latest    from images/nginx/Containerfile (FROM localhost/busybox)
# Their base root filesystems come from Debian's packages on the host (images/rootfs.sh); the
# builds run in a private, temporary berth root that is removed afterwards, and nothing inside a
# build container reaches the network. Needs berth built (make build runs this as its last step).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/out"
berth="$here/../bin/berth"
[[ -e "$here/../build/bundle/berth.cjs" ]] || { echo "images/build.sh: berth is not built; run make build" >&2; exit 1; }

bash "$here/rootfs.sh" "$out/rootfs"

root="$(mktemp -d /tmp/berth-images-XXXXXX)"
runroot="$(mktemp -d /tmp/berth-images-run-XXXXXX)"
b() { "$berth" --root "$root" --runroot "$runroot" "$@"; }
cleanup() {
  # A failed RUN has already been rolled back by berth; this only drops the store.
  b image prune -a -f >/dev/null 2>&1 || true
  if grep -qs -e " $root" -e " $runroot" /proc/self/mountinfo; then
    echo "images/build.sh: mounts left under $root or $runroot" >&2
    grep -e " $root" -e " $runroot" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
  fi
  rm -rf "$root" "$runroot"
}
trap cleanup EXIT

for name in busybox nginx; do
  echo "building localhost/$name:latest from images/$name/Containerfile" >&2
  b build --network none -f "$here/$name/Containerfile" -t "localhost/$name:latest" "$here" >&2
  b image save --format oci-archive -o "$out/$name.tar.tmp" "localhost/$name:latest"
  mv "$out/$name.tar.tmp" "$out/$name.tar"
  echo "built $out/$name.tar (localhost/$name:latest)" >&2
done
