#!/bin/bash
# docker/prepare-offline.sh: prepares a machine of this project's kind (Debian
# bookworm, root, no container registry, only Debian's apt archive and Maven
# Central reachable) to build and run warden's OFFLINE image. Idempotent: a
# second run only checks, and takes a few seconds.
#
#   1. apt: docker.io, debootstrap, openjdk-17-jdk-headless (jlink), gcc (the
#      health check client), s6 (for the host integration tests), if absent
#   2. docker compose + buildx CLI plugins from Debian trixie, through a
#      temporary APT configuration (the system's sources are never modified),
#      into /usr/local/lib/docker/cli-plugins
#   3. dockerd WITHOUT the default bridge (network rule: containers must never
#      reach private or public addresses), started if `docker version` fails
#   4. image debian:bookworm-slim from debootstrap minbase + slimming +
#      `docker import` (rootfs tarball cached)
#   5. Debian's s6 / execline .debs (apt-get download) into the cache
#   6. a jlinked JRE into the cache (docker/make-jre.sh)
#   7. if target/warden.jar exists: docker/build-image.sh (image warden:offline)
#
# Cache: $WARDEN_OFFLINE_CACHE (default /var/cache/warden-offline).
# dockerd log: $WARDEN_DOCKERD_LOG (default /var/log/warden-dockerd.log).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
cache=${WARDEN_OFFLINE_CACHE:-/var/cache/warden-offline}
dockerd_log=${WARDEN_DOCKERD_LOG:-/var/log/warden-dockerd.log}
plugins=/usr/local/lib/docker/cli-plugins
base_image=debian:bookworm-slim
suite=bookworm

say() { echo "prepare-offline: $*"; }
err() { echo "prepare-offline: error: $*" >&2; exit 1; }
t0=$(date +%s.%N)
elapsed() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f s", b-a}'; }

[ "$(id -u)" = 0 ] || err "must run as root"
mkdir -p "$cache"

# The Debian mirror, as configured on this machine (never written into a file).
mirror_uri() {
  local uri
  uri=$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 2>/dev/null \
        | awk -v s="$suite" '$1 == s { print $2; exit }')
  if [ -z "$uri" ]; then
    uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null \
          | awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }')
  fi
  if [ -z "$uri" ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
          /etc/apt/sources.list 2>/dev/null | head -n 1)
  fi
  [ -n "$uri" ] || err "cannot find the Debian mirror in the APT configuration"
  echo "${uri%/}"
}

apt_updated=
apt_update_once() {
  if [ -z "$apt_updated" ]; then
    say "apt-get update"
    apt-get update -qq || err "apt-get update failed"
    apt_updated=1
  fi
}

# ---------------------------------------------------------------- 1. packages
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
[ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/jlink ] || need+=(openjdk-17-jdk-headless)
command -v xargs >/dev/null 2>&1 || need+=(findutils)
# build-image.sh compiles the HEALTHCHECK's client (docker/healthcheck/warden-check.c)
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
# the host integration tests run a real s6-svscan outside any container
command -v s6-svscan >/dev/null 2>&1 || need+=(s6)
# EventsIT checks `warden metrics` with promtool (Debian's package prometheus ships it)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
if [ "${#need[@]}" -gt 0 ]; then
  apt_update_once
  say "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || err "apt-get install ${need[*]} failed"
fi
command -v docker >/dev/null 2>&1 || err "no docker CLI after installing docker.io"

# ------------------------------------------------- 2. compose + buildx plugins
if ! docker compose version >/dev/null 2>&1 || ! docker buildx version >/dev/null 2>&1; then
  debs=$cache/trixie-debs
  if ! ls "$debs"/docker-compose_*.deb "$debs"/docker-buildx_*.deb >/dev/null 2>&1; then
    say "fetching docker-compose and docker-buildx from trixie (temporary APT config)"
    tmp=$(mktemp -d /tmp/warden-apt.XXXXXX)
    trap 'rm -rf "$tmp"' EXIT
    mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/sources.list.d" "$tmp/dl"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(mirror_uri) trixie main" > "$tmp/sources.list"
    cat > "$tmp/apt.conf" <<EOF
Dir::Etc::SourceList "$tmp/sources.list";
Dir::Etc::SourceParts "$tmp/sources.list.d";
Dir::State::Lists "$tmp/lists";
Dir::Cache "$tmp/cache";
EOF
    APT_CONFIG=$tmp/apt.conf apt-get -o APT::Sandbox::User=root update -qq || err "apt-get update (trixie, temporary config) failed"
    (cd "$tmp/dl" && APT_CONFIG=$tmp/apt.conf apt-get -o APT::Sandbox::User=root download -qq docker-compose docker-buildx) \
      || err "apt-get download docker-compose docker-buildx (trixie) failed"
    mkdir -p "$debs"
    mv "$tmp"/dl/*.deb "$debs/"
    rm -rf "$tmp"; trap - EXIT
  fi
  x=$(mktemp -d /tmp/warden-plugins.XXXXXX)
  for d in "$debs"/docker-compose_*.deb "$debs"/docker-buildx_*.deb; do dpkg-deb -x "$d" "$x"; done
  mkdir -p "$plugins"
  for p in docker-compose docker-buildx; do
    f=$(find "$x" -type f -name "$p" -path '*cli-plugins*' | head -n 1)
    [ -n "$f" ] || err "no $p binary in the trixie package"
    install -m 0755 "$f" "$plugins/$p"
  done
  rm -rf "$x"
  docker compose version >/dev/null 2>&1 || err "docker compose does not run after install"
  say "installed $(docker compose version --short 2>/dev/null | sed 's/^/compose /') and buildx into $plugins"
fi

# ------------------------------------------------------------------ 3. dockerd
docker_up() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if ! docker_up; then
  if pgrep -x dockerd >/dev/null 2>&1; then
    say "a dockerd is running but not answering yet; waiting"
  else
    ip link delete docker0 >/dev/null 2>&1 || true
    say "starting dockerd without the default bridge (log: $dockerd_log)"
    setsid dockerd --bridge=none --iptables=false --ip6tables=false --ip-forward=false \
      --ip-masq=false --userland-proxy=false >>"$dockerd_log" 2>&1 < /dev/null &
  fi
  for _ in $(seq 1 120); do docker_up && break; sleep 0.25; done
  docker_up || err "dockerd did not answer within 30 s (see $dockerd_log)"
fi
if docker network ls --format '{{.Name}}' 2>/dev/null | grep -qx bridge; then
  echo "prepare-offline: WARNING: this dockerd has the default 'bridge' network. The network rule wants" >&2
  echo "prepare-offline: WARNING: dockerd --bridge=none ...; stop it and rerun this script." >&2
fi
say "dockerd $(docker version --format '{{.Server.Version}}') answers"

# ----------------------------------------------------- 4. debian:bookworm-slim
rootfs_tar=$cache/debian-bookworm-slim-rootfs.tar
if ! docker image inspect "$base_image" >/dev/null 2>&1; then
  if [ ! -s "$rootfs_tar" ]; then
    say "debootstrap --variant=minbase $suite (about a minute)"
    dir=$(mktemp -d /tmp/warden-rootfs.XXXXXX)
    debootstrap --variant=minbase "$suite" "$dir" "$(mirror_uri)" >"$cache/debootstrap.log" 2>&1 \
      || { rm -rf "$dir"; err "debootstrap failed (see $cache/debootstrap.log)"; }
    # Slim it like the official -slim image.
    cat > "$dir/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
    cat > "$dir/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    find "$dir/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
    find "$dir/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
    rm -rf "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/usr/share/locale/* \
      "$dir"/usr/share/lintian/* "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/* \
      "$dir"/var/cache/debconf/*-old "$dir"/var/log/* "$dir"/tmp/* "$dir"/root/.bash_history
    # No host details and no mirror name in the image: Docker provides these at run time.
    : > "$dir/etc/resolv.conf"
    echo localhost > "$dir/etc/hostname"
    echo "# offline base image: no APT sources (everything is installed from local .debs)" > "$dir/etc/apt/sources.list"
    tar --numeric-owner -C "$dir" -cf "$rootfs_tar.tmp" . || err "cannot archive the rootfs"
    mv "$rootfs_tar.tmp" "$rootfs_tar"
    rm -rf "$dir"
  fi
  say "importing $base_image from $rootfs_tar"
  docker import --change 'CMD ["bash"]' "$rootfs_tar" "$base_image" >/dev/null || err "docker import failed"
fi

# -------------------------------------------------------------- 5. s6 .debs
s6debs=$cache/s6-debs
if ! ls "$s6debs"/s6_*.deb "$s6debs"/execline_*.deb >/dev/null 2>&1; then
  apt_update_once
  pkgs="s6 execline $(apt-cache depends s6 execline 2>/dev/null \
        | awk '/Depends: lib(s6|skarnet|execline)/ { print $2 }' | sort -u | tr '\n' ' ')"
  say "apt-get download $pkgs"
  tmpd=$(mktemp -d /tmp/warden-s6debs.XXXXXX)
  # shellcheck disable=SC2086
  (cd "$tmpd" && apt-get -o APT::Sandbox::User=root download -qq $pkgs) || { rm -rf "$tmpd"; err "apt-get download $pkgs failed"; }
  rm -rf "$s6debs"; mv "$tmpd" "$s6debs"; chmod 755 "$s6debs"
fi

# ------------------------------------------------------------------ 6. JRE
jar=$repo/target/warden.jar
if [ -r "$jar" ]; then
  "$here/make-jre.sh" "$cache/jre" "$jar"
else
  "$here/make-jre.sh" "$cache/jre"
fi

say "machine ready ($(elapsed))"

# -------------------------------------------------------------- 7. the image
if [ -r "$jar" ]; then
  WARDEN_OFFLINE_CACHE=$cache "$here/build-image.sh"
else
  say "no $jar yet: run 'mvn -q -B -DskipTests package' then docker/build-image.sh"
fi
say "done ($(elapsed))"
