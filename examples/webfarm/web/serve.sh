#!/bin/sh
# A web farm server: writes a page naming this instance and its address, then serves it with
# busybox httpd in the foreground.
set -eu
ip=$(ip -4 -o addr show eth0 | awk '{ split($4, a, "/"); print a[1] }')
# berth writes "ADDRESS HOSTNAME NAME" for the container itself into /etc/hosts.
name=$(awk -v ip="$ip" '$1 == ip && NF >= 3 { print $3; exit }' /etc/hosts)
mkdir -p /www
printf '<!doctype html><title>web farm</title><h1>web instance %s at %s</h1>\n' "${name:-$(hostname)}" "$ip" > /www/index.html
echo "serving instance ${name:-$(hostname)} on $ip:80"
# As PID 1, httpd would ignore SIGTERM (the kernel drops signals PID 1 has no handler for) and
# every stop would wait for the SIGKILL. The shell stays PID 1 and ends httpd on TERM.
httpd -f -v -p 80 -h /www &
pid=$!
trap 'kill "$pid"; wait "$pid"; exit 0' TERM INT
wait "$pid"
