#!/usr/bin/env bash
# Builds the example images from Debian packages only, as OCI archives in images/out/:
#   busybox.tar  localhost/busybox:latest  busybox-static, its applets, users root/nobody/www-data
#   nginx.tar    localhost/nginx:latest    nginx-light with the libraries ldd lists, listening on :80
# Reproducible (sorted tar, fixed mtimes and owners, gzip -n) and idempotent: an output newer
# than this script is kept. Usage: images/build.sh [--force]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/out"
script="$here/build.sh"
force="${1:-}"
epoch=0

need_pkgs() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if ((${#missing[@]})); then
    echo "installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2
  fi
}

up_to_date() { [[ "$force" != "--force" && -s "$1" && "$1" -nt "$script" ]]; }

arch="$(dpkg --print-architecture)"

tar_dir() { # tar_dir DIR OUTFILE [paths...]: a byte-for-byte reproducible tar of DIR
  local dir="$1" file="$2"; shift 2
  tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --format=gnu \
      -C "$dir" -cf "$file" "$@"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# oci_archive ROOTFS NAME CONFIG_JSON OUT: one gzip layer, config, manifest, index with the name.
oci_archive() {
  local rootfs="$1" name="$2" cfg="$3" dest="$4"
  local work; work="$(mktemp -d)"
  mkdir -p "$work/layout/blobs/sha256"
  tar_dir "$rootfs" "$work/layer.tar" .
  gzip -n -9 -c "$work/layer.tar" > "$work/layer.tar.gz"
  local diff_id layer_digest layer_size
  diff_id="$(sha "$work/layer.tar")"
  layer_digest="$(sha "$work/layer.tar.gz")"
  layer_size="$(stat -c %s "$work/layer.tar.gz")"
  cp "$work/layer.tar.gz" "$work/layout/blobs/sha256/$layer_digest"

  jq -c -n --arg arch "$arch" --arg diff "sha256:$diff_id" --argjson cfg "$cfg" '{
      created: "1970-01-01T00:00:00Z", architecture: $arch, os: "linux", config: $cfg,
      rootfs: { type: "layers", diff_ids: [$diff] },
      history: [{ created: "1970-01-01T00:00:00Z", created_by: "images/build.sh" }] }' > "$work/config.json"
  local cfg_digest cfg_size
  cfg_digest="$(sha "$work/config.json")"; cfg_size="$(stat -c %s "$work/config.json")"
  cp "$work/config.json" "$work/layout/blobs/sha256/$cfg_digest"

  jq -c -n --arg cd "sha256:$cfg_digest" --argjson cs "$cfg_size" --arg ld "sha256:$layer_digest" --argjson ls "$layer_size" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $ld, size: $ls }] }' > "$work/manifest.json"
  local man_digest man_size
  man_digest="$(sha "$work/manifest.json")"; man_size="$(stat -c %s "$work/manifest.json")"
  cp "$work/manifest.json" "$work/layout/blobs/sha256/$man_digest"

  printf '{"imageLayoutVersion":"1.0.0"}' > "$work/layout/oci-layout"
  jq -c -n --arg md "sha256:$man_digest" --argjson ms "$man_size" --arg name "$name" --arg arch "$arch" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
                    platform: { architecture: $arch, os: "linux" },
                    annotations: { "org.opencontainers.image.ref.name": $name } }] }' > "$work/layout/index.json"

  tar_dir "$work/layout" "$dest.tmp" oci-layout index.json blobs
  mv "$dest.tmp" "$dest"
  rm -rf "$work"
  echo "built $dest ($name)" >&2
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

build_busybox() {
  local dest="$out/busybox.tar"
  if up_to_date "$dest"; then echo "up to date: $dest" >&2; return; fi
  local r; r="$(mktemp -d)"
  chmod 0755 "$r"
  base_files "$r"
  mkdir -p "$r/bin" "$r/sbin" "$r/usr/bin" "$r/usr/sbin"
  install -m 0755 /bin/busybox "$r/bin/busybox"
  local applet
  while read -r applet; do
    [[ -z "$applet" || "$applet" == "bin/busybox" ]] && continue
    mkdir -p "$r/$(dirname "$applet")"
    [[ -e "$r/$applet" ]] || ln -s /bin/busybox "$r/$applet"
  done < <(/bin/busybox --list-full)
  oci_archive "$r" "localhost/busybox:latest" \
    '{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]}' "$dest"
  rm -rf "$r"
}

build_nginx() {
  local dest="$out/nginx.tar"
  if up_to_date "$dest"; then echo "up to date: $dest" >&2; return; fi
  local r; r="$(mktemp -d)"
  chmod 0755 "$r"
  base_files "$r"
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
  # No "daemon off;" here: the image's Cmd passes it with -g, and nginx refuses a duplicate.
  cat > "$r/etc/nginx/nginx.conf" <<'CONF'
user www-data;
worker_processes 1;
pid /run/nginx.pid;
error_log stderr notice;

events {
  worker_connections 256;
}

http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log /dev/stdout;
  sendfile on;
  keepalive_timeout 65;

  server {
    listen 80 default_server;
    server_name _;
    root /usr/share/nginx/html;
    index index.html;
  }
}
CONF
  cat > "$r/usr/share/nginx/html/index.html" <<'HTML'
<!doctype html>
<html><head><title>Welcome to nginx on berth</title></head>
<body><h1>Welcome to nginx!</h1><p>Served by nginx in a berth container.</p></body></html>
HTML
  chmod 0644 "$r/etc/nginx/nginx.conf" "$r/usr/share/nginx/html/index.html"
  oci_archive "$r" "localhost/nginx:latest" \
    '{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["nginx","-g","daemon off;"],"ExposedPorts":{"80/tcp":{}},"StopSignal":"SIGQUIT"}' "$dest"
  rm -rf "$r"
}

need_pkgs busybox-static nginx-light jq
mkdir -p "$out"
build_busybox
build_nginx
