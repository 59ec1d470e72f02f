#!/bin/bash
# docker/build-image.sh [TAG] [--label K=V]... [--build-arg K=V]...
# Builds warden's OFFLINE images in seconds, with no network: the demo image
# (default tag warden:offline), and beside it the bare s6 base
# (warden-s6-base:offline) and the adoption kit (warden-kit:offline; see
# docs/ADOPTING.md), the targets s6-base and kit of the same Dockerfile. It
# assembles a staging context in docker/.build/context from the
# caches of prepare-offline.sh (s6 .debs, jlinked JRE), target/warden.jar,
# s6-rootfs/, docker/offline-init/ and the health check client (gcc), then `docker build --network none`
# with the legacy builder (WARDEN_BUILDKIT=1 to use BuildKit instead).
# --label / --build-arg are passed to docker build (e.g. a second "upgraded"
# image: build-image.sh warden:offline-v2 --label warden.test.generation=2).
# Every image gets the label warden.jar.sha256.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
cache=${WARDEN_OFFLINE_CACHE:-/var/cache/warden-offline}
jar=${WARDEN_JAR_PATH:-$repo/target/warden.jar}
ctx=$here/.build/context
err() { echo "build-image: error: $*" >&2; exit 1; }
t0=$(date +%s.%N)

tag=warden:offline
extra=()
while [ "$#" -gt 0 ]; do
  case $1 in
    --label|--build-arg) [ "$#" -ge 2 ] || err "$1 needs a value"; extra+=("$1" "$2"); shift 2 ;;
    --label=*|--build-arg=*) extra+=("$1"); shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) err "unknown option $1" ;;
    *) tag=$1; shift ;;
  esac
done

[ -r "$jar" ] || err "$jar not found: run 'mvn -q -B -DskipTests package' first"
ls "$cache"/s6-debs/s6_*.deb >/dev/null 2>&1 || err "no s6 .debs in $cache/s6-debs: run docker/prepare-offline.sh first"
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || err "dockerd does not answer: run docker/prepare-offline.sh first"
docker image inspect debian:bookworm-slim >/dev/null 2>&1 || err "no debian:bookworm-slim image: run docker/prepare-offline.sh first"

# The JRE must hold every module the jar needs (relinks only when that changed).
"$here/make-jre.sh" "$cache/jre" "$jar" >/dev/null || err "make-jre.sh failed"

mkdir -p "$here/.build"
# One build at a time: the staging context is shared (also used by compose).
exec 9>"$here/.build/lock"
flock 9 || err "cannot lock $here/.build/lock"
rm -rf "$ctx"
mkdir -p "$ctx"
# Hard links when the cache is on the same file system (fast), copies otherwise.
cp -al "$cache/s6-debs" "$ctx/debs" 2>/dev/null || cp -a "$cache/s6-debs" "$ctx/debs"
cp -al "$cache/jre" "$ctx/jre" 2>/dev/null || cp -a "$cache/jre" "$ctx/jre"
rm -f "$ctx/jre/.warden-modules"
cp "$jar" "$ctx/warden.jar"
mkdir -p "$ctx/s6-rootfs"
cp -a "$repo/s6-rootfs/warden" "$repo/s6-rootfs/demo" "$ctx/s6-rootfs/"
cp -a "$here/offline-init" "$ctx/offline-init"
cp "$here/Dockerfile.offline" "$ctx/Dockerfile.offline"
cp "$here/train-cds.sh" "$ctx/train-cds.sh"
# The HEALTHCHECK's client, built here with the host's gcc (a Debian bookworm
# machine, like the image: same glibc); the production Dockerfile builds it in
# a stage of its own.
command -v gcc >/dev/null 2>&1 || err "no gcc: docker/prepare-offline.sh installs it"
gcc -O2 -Wall -Wextra -Werror -std=c11 -s -o "$ctx/warden-check" "$here/healthcheck/warden-check.c" \
  || err "cannot compile docker/healthcheck/warden-check.c"

sha=$(sha256sum "$jar" | cut -d' ' -f1)
if [ "${WARDEN_BUILDKIT:-0}" = 1 ]; then
  export DOCKER_BUILDKIT=1
else
  export DOCKER_BUILDKIT=0
fi
log=$here/.build/build.log
# the base and the kit first, beside the default tag only (an "upgraded" test
# image must not retag them); the demo's build then finds every stage cached
targets=
[ "$tag" = warden:offline ] && targets="s6-base:warden-s6-base:offline kit:warden-kit:offline"
for target in $targets; do
  if ! docker build --network none -q -f "$ctx/Dockerfile.offline" --target "${target%%:*}" -t "${target#*:}" \
       --label "warden.jar.sha256=$sha" "$ctx" >"$log" 2>&1; then
    cat "$log" >&2
    err "docker build of ${target#*:} failed"
  fi
done
if ! docker build --network none -q -f "$ctx/Dockerfile.offline" -t "$tag" \
     --label "warden.jar.sha256=$sha" "${extra[@]}" "$ctx" >"$log" 2>&1; then
  cat "$log" >&2
  err "docker build failed"
fi
id=$(docker image inspect --format '{{.Id}}' "$tag")
awk -v a="$t0" -v b="$(date +%s.%N)" -v t="$tag" -v i="${id:7:12}" \
  'BEGIN{printf "build-image: built %s (%s) in %.1f s\n", t, i, b-a}'
