#!/usr/bin/env bash
# The root filesystem of localhost/berth (images/berth/Containerfile): berth itself and every
# program it runs, copied from this host (its Debian packages and this checkout's build), so that
# nothing is downloaded. A plain tar, reproducible: sorted, fixed mtimes and owners.
#   /opt/berth        bin/, build/bundle (no V8 caches), build/helpers, the two native addons
#   /usr/bin/node     the host's Node, with the libraries ldd names
#   runc conmon ip ss nft aardvark-dns tini mount umount mknod sync chroot setfattr getfattr ps
#   /usr/share/containers/seccomp.json, the profile berth resolves its default filter from
# Usage: images/berth/rootfs.sh REPO OUTFILE
#        images/berth/rootfs.sh --list REPO   every host file it would copy (build.sh hashes them)
set -euo pipefail

list=0
if [[ "${1:-}" == --list ]]; then list=1; shift; fi
repo="${1:?usage: rootfs.sh [--list] REPO [OUTFILE]}"
outfile="${2:-}"
((list)) || [[ -n "$outfile" ]] || { echo "usage: rootfs.sh REPO OUTFILE" >&2; exit 2; }

# Where each program is on a Debian 12 host (merged /usr); one of berth's dependencies each.
programs=(
  /usr/bin/node
  /usr/sbin/runc /usr/bin/conmon /usr/bin/tini
  /usr/sbin/ip /usr/bin/ss /usr/sbin/nft /usr/lib/podman/aardvark-dns
  /usr/bin/mount /usr/bin/umount /usr/bin/mknod /usr/bin/sync /usr/sbin/chroot
  /usr/bin/setfattr /usr/bin/getfattr /usr/bin/ps
)
for p in "${programs[@]}"; do
  [[ -x "$p" ]] || { echo "images/berth/rootfs.sh: $p is missing: run make deps" >&2; exit 1; }
done
for f in "$repo/build/bundle/berth.cjs" "$repo/build/helpers/berth-idmap-mount"; do
  [[ -e "$f" ]] || { echo "images/berth/rootfs.sh: $f is missing: run make build" >&2; exit 1; }
done

addons=(
  node_modules/better-sqlite3/build/Release/better_sqlite3.node
  node_modules/node-unix-socket-linux-x64-gnu/node-unix-socket.linux-x64-gnu.node
)
for a in "${addons[@]}"; do
  [[ -e "$repo/$a" ]] || { echo "images/berth/rootfs.sh: $repo/$a is missing: run make build" >&2; exit 1; }
done
libs_of() { ldd "$1" 2>/dev/null | grep -o '/[^ ]*' | sort -u; }
js_of() { (cd "$repo/node_modules/$1" && find . \( -name '*.js' -o -name '*.node' -o -name package.json \) -print | sort); }

if ((list)); then
  for f in "${programs[@]}" "${addons[@]/#/$repo/}"; do echo "$f"; libs_of "$f"; done | sort -u
  printf '%s\n' "$repo/bin/berth" "$repo/bin/berth.cjs" "$repo"/build/bundle/*.cjs "$repo"/build/bundle/full-verbs.json "$repo/build/helpers/berth-idmap-mount" \
    "$repo/node_modules/better-sqlite3/package.json" /usr/share/containers/seccomp.json
  for pkg in node-unix-socket node-unix-socket-linux-x64-gnu; do js_of "$pkg" | sed "s|^\.|$repo/node_modules/$pkg|"; done
  exit 0
fi

r="$(mktemp -d)"
trap 'rm -rf "$r"' EXIT
chmod 0755 "$r"

# Each program and every library the loader will look for, at the path ldd names (so that a
# library reached through the /lib symlink on the host is a real file in the image, whose /lib
# is a plain directory).
copy_libs() {
  local lib
  while read -r lib; do
    [[ -e "$r/$lib" ]] && continue
    mkdir -p "$r/$(dirname "$lib")"
    cp -L "$lib" "$r/$lib"
  done < <(libs_of "$1")
}
for p in "${programs[@]}"; do
  mkdir -p "$r/$(dirname "$p")"
  cp -L "$p" "$r/$p"
  copy_libs "$p"
done
# The native addons are loaded by node with dlopen: their libraries too.
for a in "${addons[@]}"; do copy_libs "$repo/$a"; done

o="$r/opt/berth"
mkdir -p "$o/bin" "$o/build/bundle" "$o/build/helpers" "$o/node_modules/better-sqlite3/build/Release"
install -m 0755 "$repo/bin/berth" "$repo/bin/berth.cjs" "$o/bin/"
install -m 0644 "$repo"/build/bundle/*.cjs "$repo"/build/bundle/full-verbs.json "$o/build/bundle/"
install -m 0755 "$repo/build/helpers/berth-idmap-mount" "$o/build/helpers/"
install -m 0755 "$repo/${addons[0]}" "$o/${addons[0]}"
cp -a "$repo/node_modules/better-sqlite3/package.json" "$o/node_modules/better-sqlite3/"
# node-unix-socket is required from node_modules at run time (the bundle keeps it external).
for pkg in node-unix-socket node-unix-socket-linux-x64-gnu; do
  mkdir -p "$o/node_modules/$pkg"
  js_of "$pkg" | while read -r f; do
    mkdir -p "$o/node_modules/$pkg/$(dirname "$f")"
    cp -a "$repo/node_modules/$pkg/$f" "$o/node_modules/$pkg/$f"
  done
done
mkdir -p "$r/usr/local/bin"
ln -s /opt/berth/bin/berth "$r/usr/local/bin/berth"

mkdir -p "$r/usr/share/containers"
install -m 0644 /usr/share/containers/seccomp.json "$r/usr/share/containers/seccomp.json"
# The state berth and iproute2 keep: /run/netns is made by `ip netns add`, the rest by berth.
mkdir -p "$r/var/lib/berth" "$r/run/berth"
chmod 0700 "$r/var/lib/berth" "$r/run/berth"

tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu -C "$r" -cf "$outfile.tmp" .
mv "$outfile.tmp" "$outfile"
