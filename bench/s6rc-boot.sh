#!/bin/bash
# bench/s6rc-boot.sh [N] [VERSION LAYOUT]...
# What warden's stage-2 hook costs a boot, on the REAL s6-overlay: the same image of s6-rc services
# (docker/build-overlay-image.sh) without warden and with it, N fresh containers each (default 10), started in
# alternation so that load on the machine hits both alike. Printed, per version:
#   - container start to the first service up: `docker start` to the first line `counter` writes on its volume
#     (its own clock reading, the same clock as the host's), median and p90, and the ratio with/without;
#   - the hook's own time: the hook run N times inside a running container (it rebuilds the same profile).
# Defaults: 3.2.0.2 old, 3.2.3.2 new. Needs warden-kit:offline (docker/build-image.sh) and the real
# s6-overlay tarballs (WARDEN_S6_OVERLAY_DIST, see docker/README.md). Prints; asserts nothing about time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
n=${1:-10}
shift || true
pairs=("$@")
[ ${#pairs[@]} -gt 0 ] || pairs=(3.2.0.2 old 3.2.3.2 new)
say() { echo "s6rc-boot: $*" >&2; }
now() { date +%s%N; }

median_p90() { # numbers on stdin -> "median p90"
  sort -n | awk '{ a[NR] = $1 } END { m = a[int((NR + 1) / 2)]; p = a[int(NR * 0.9 + 0.999)]; printf "%d %d\n", m, p }'
}

# one fresh container: ms from `docker start` to counter's first start
boot_ms() { # image
  local c v t0 first
  c=warden-bench-s6rc-$$-$RANDOM
  v=$c-counts
  docker create --name "$c" --network none -v "$v:/var/lib/counts" "$1" >/dev/null
  t0=$(now)
  docker start "$c" >/dev/null
  first=
  for _ in $(seq 1 400); do
    first=$(docker exec "$c" sh -c 'head -n 1 /var/lib/counts/counter 2>/dev/null' 2>/dev/null || true)
    [ -n "$first" ] && break
    sleep 0.05
  done
  docker rm -f -v "$c" >/dev/null
  docker volume rm -f "$v" >/dev/null
  [ -n "$first" ] || { say "counter never started in $1"; return 1; }
  echo $(( (first - t0) / 1000000 ))
}

i=0
while [ $i -lt ${#pairs[@]} ]; do
  version=${pairs[$i]} layout=${pairs[$((i + 1))]}
  i=$((i + 2))
  plain=warden-bench-s6rc:$version-plain warden=warden-bench-s6rc:$version-warden
  "$repo/docker/build-overlay-image.sh" "$version" "$layout" "$plain" plain >&2
  "$repo/docker/build-overlay-image.sh" "$version" "$layout" "$warden" warden >&2
  : > /tmp/s6rc-boot-plain.$$ ; : > /tmp/s6rc-boot-warden.$$
  for _ in $(seq 1 "$n"); do
    boot_ms "$plain" >> /tmp/s6rc-boot-plain.$$
    boot_ms "$warden" >> /tmp/s6rc-boot-warden.$$
  done
  read -r pm pp < <(median_p90 < /tmp/s6rc-boot-plain.$$)
  read -r wm wp < <(median_p90 < /tmp/s6rc-boot-warden.$$)
  c=warden-bench-s6rc-hook-$$
  docker run -d --name "$c" --network none "$warden" >/dev/null
  sleep 3
  hook=$(docker exec "$c" sh -c 'for i in $(seq 1 '"$n"'); do s=$(date +%s%N); /usr/local/lib/warden/stage2-hook 2>/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000 )); done' | median_p90)
  docker rm -f -v "$c" >/dev/null
  read -r hm hp <<< "$hook"
  printf 's6-overlay %s (%s layout), %d boots each: start -> first service up: without warden median %d ms (p90 %d), with warden median %d ms (p90 %d), ratio %s; the hook itself median %d.%03d ms (p90 %d.%03d)\n' \
    "$version" "$layout" "$n" "$pm" "$pp" "$wm" "$wp" "$(awk -v a="$wm" -v b="$pm" 'BEGIN { printf "%.2f", a / b }')" \
    $((hm / 1000)) $((hm % 1000)) $((hp / 1000)) $((hp % 1000))
  docker rmi -f "$plain" "$warden" >/dev/null
  rm -f /tmp/s6rc-boot-plain.$$ /tmp/s6rc-boot-warden.$$
done
