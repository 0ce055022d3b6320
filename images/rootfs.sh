#!/usr/bin/env bash
# The base root filesystems of the example images, made on the host from Debian's packages (the
# only download): plain tars in images/out/rootfs/ that images/*/Containerfile ADD on top of
# scratch. Reproducible: sorted, fixed mtimes and owners.
#   busybox.tar  busybox-static, /etc/passwd and group (root, www-data, nobody), scratch dirs
#   nginx.tar    nginx-light, every library the loader and NSS need, mime.types, nginx's dirs
# Usage: images/rootfs.sh OUTDIR
set -euo pipefail

dest="${1:?usage: rootfs.sh OUTDIR}"
epoch=0

need_pkgs() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if ((${#missing[@]})); then
    echo "installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2
  fi
}

tar_dir() { # tar_dir DIR OUTFILE [paths...]: a byte-for-byte reproducible tar of DIR
  local dir="$1" file="$2"; shift 2
  tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --format=gnu \
      -C "$dir" -cf "$file" "$@"
}

base_files() { # base_files ROOTFS: users, groups, name service, scratch dirs
  local r="$1"
  mkdir -p "$r/etc" "$r/tmp" "$r/root" "$r/var/www" "$r/run" "$r/proc" "$r/sys" "$r/dev"
  chmod 1777 "$r/tmp"
  chmod 0700 "$r/root"
  cat > "$r/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PW
  cat > "$r/etc/group" <<'GR'
root:x:0:
www-data:x:33:
nogroup:x:65534:
GR
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$r/etc/nsswitch.conf"
  chmod 0644 "$r/etc/passwd" "$r/etc/group" "$r/etc/nsswitch.conf"
}

busybox_rootfs() {
  local r; r="$(mktemp -d)"
  chmod 0755 "$r"
  base_files "$r"
  # The applet links are made by `busybox --install -s` in the Containerfile's RUN.
  mkdir -p "$r/bin" "$r/sbin" "$r/usr/bin" "$r/usr/sbin"
  install -m 0755 /bin/busybox "$r/bin/busybox"
  tar_dir "$r" "$dest/busybox.tar.tmp" .
  mv "$dest/busybox.tar.tmp" "$dest/busybox.tar"
  rm -rf "$r"
}

nginx_rootfs() {
  local r; r="$(mktemp -d)"
  chmod 0755 "$r"
  mkdir -p "$r/usr/sbin" "$r/etc/nginx" "$r/var/log/nginx" "$r/var/lib/nginx" "$r/usr/share/nginx/html"
  install -m 0755 /usr/sbin/nginx "$r/usr/sbin/nginx"
  # Every library ldd names, at the path the loader will look for it; the loader itself too.
  local lib
  while read -r lib; do
    mkdir -p "$r/$(dirname "$lib")"
    cp -L "$lib" "$r/$lib"
  done < <(ldd /usr/sbin/nginx | grep -o '/[^ ]*' | sort -u)
  # getpwnam("www-data") goes through NSS, which loads these at run time (ldd cannot see them).
  for lib in /lib/"$(uname -m)"-linux-gnu/libnss_files.so.2 /lib/"$(uname -m)"-linux-gnu/libnss_dns.so.2; do
    if [[ -e "$lib" ]]; then mkdir -p "$r/$(dirname "$lib")"; cp -L "$lib" "$r/$lib"; fi
  done
  install -m 0644 /etc/nginx/mime.types "$r/etc/nginx/mime.types"
  tar_dir "$r" "$dest/nginx.tar.tmp" .
  mv "$dest/nginx.tar.tmp" "$dest/nginx.tar"
  rm -rf "$r"
}

need_pkgs busybox-static nginx-light
mkdir -p "$dest"
busybox_rootfs
nginx_rootfs
