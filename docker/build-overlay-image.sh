#!/bin/sh
# Builds an image of the kind people already have, on the REAL s6-overlay, for tests and benchmarks:
# its own s6-rc longruns (src/test/resources/s6rc/rootfs: `counter` counts its starts on a volume,
# `dependent` depends on it, `web` has a logger `web-log`, `setup` is a oneshot, `legacy` a services.d
# service), in either bundle layout, with or without warden adopted through the kit (with warden, also an
# instance template `job@` in /etc/warden/services: instances are what s6-rc's static database cannot do).
#
#   docker/build-overlay-image.sh VERSION LAYOUT TAG [plain|warden]
#     VERSION  an s6-overlay version with its four tarballs in $WARDEN_S6_OVERLAY_DIST/VERSION/
#     LAYOUT   old: the bundles in s6-rc.d/user (up to 3.2.3.0); new: user-bundles.d/user (from 3.2.3.1)
#     plain    the image alone; warden (default): plus `COPY --from=warden-kit:offline / /`, one ENV, a volume
#
# WARDEN_S6_OVERLAY_DIST: the folder of real s6-overlay tarballs, one subfolder per version (default
# ../shared/s6-overlay beside the repository, where CI has them). Needs warden-kit:offline (build-image.sh).
set -eu
[ "$#" -ge 3 ] || { echo "usage: $0 VERSION old|new TAG [plain|warden]" >&2; exit 2; }
version=$1 layout=$2 tag=$3 variant=${4:-warden}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
dist=${WARDEN_S6_OVERLAY_DIST:-$repo/../shared/s6-overlay}
tarballs=$dist/$version
for f in s6-overlay-noarch.tar.xz s6-overlay-x86_64.tar.xz s6-overlay-symlinks-noarch.tar.xz s6-overlay-symlinks-arch.tar.xz; do
  [ -f "$tarballs/$f" ] || { echo "build-overlay-image: missing $tarballs/$f (set WARDEN_S6_OVERLAY_DIST to the folder of real s6-overlay tarballs)" >&2; exit 1; }
done
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
for f in "$tarballs"/*.tar.xz; do ln "$f" "$ctx/" 2>/dev/null || cp "$f" "$ctx/"; done
mkdir -p "$ctx/rootfs/etc/s6-overlay"
cp -a "$repo/src/test/resources/s6rc/rootfs/s6-rc.d" "$ctx/rootfs/etc/s6-overlay/"
cp -a "$repo/src/test/resources/s6rc/rootfs/services.d" "$ctx/rootfs/etc/"
if [ "$variant" = warden ]; then
  mkdir -p "$ctx/rootfs/etc/warden"
  cp -a "$repo/src/test/resources/s6rc/rootfs/warden-services" "$ctx/rootfs/etc/warden/services"
fi
case $layout in
  old) bundle=$ctx/rootfs/etc/s6-overlay/s6-rc.d/user ;;
  new) bundle=$ctx/rootfs/etc/s6-overlay/user-bundles.d/user ;;
  *) echo "build-overlay-image: layout is old or new, not $layout" >&2; exit 2 ;;
esac
mkdir -p "$bundle/contents.d"
echo bundle > "$bundle/type"
for s in counter dependent web web-log setup; do : > "$bundle/contents.d/$s"; done
{
  echo "FROM debian:bookworm-slim"
  for f in s6-overlay-noarch s6-overlay-x86_64 s6-overlay-symlinks-noarch s6-overlay-symlinks-arch; do
    echo "ADD $f.tar.xz /"
  done
  echo "COPY rootfs/ /"
  echo "ENV PATH=/command:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin S6_KILL_GRACETIME=1000 S6_VERBOSITY=1"
  echo "VOLUME /var/lib/counts"
  if [ "$variant" = warden ]; then
    echo "COPY --from=warden-kit:offline / /"
    echo "ENV S6_STAGE2_HOOK=/usr/local/lib/warden/stage2-hook"
    echo "VOLUME /var/lib/warden"
  fi
  echo "ENTRYPOINT [\"/init\"]"
} > "$ctx/Dockerfile"
docker build --network none -q -t "$tag" --label "warden.test.overlay=$version-$layout-$variant" "$ctx" >/dev/null
echo "build-overlay-image: $tag (s6-overlay $version, $layout layout, $variant)"
