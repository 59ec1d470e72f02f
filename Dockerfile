# warden + gateway under real s6-overlay: the PRODUCTION image.
# Needs the internet at build time (Debian packages, Maven Central, the
# s6-overlay release tarballs, sha256-pinned below). Machines without the
# internet build docker/Dockerfile.offline instead (docker/build-image.sh):
# same s6-rootfs/, same paths, same S6_* settings. Targets: s6-base (a bare
# s6-overlay image), kit (what another image copies to adopt warden,
# docs/ADOPTING.md), and the demo image (the last stage).
#
#   docker compose build            (or: docker build -t warden:latest .)

ARG DEBIAN_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------- build stage
# Builds target/warden.jar with Maven and links a minimal JRE for it.
FROM ${DEBIAN_IMAGE} AS build
# (man1 is missing in -slim images and the JDK's postinst links into it)
RUN mkdir -p /usr/share/man/man1 \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jdk-headless maven binutils \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pom.xml ./
# Dependencies in their own layer (best effort: `package` fetches the rest).
RUN mvn -q -B dependency:go-offline || true
COPY src/ src/
RUN mvn -q -B -DskipTests package && test -s target/warden.jar
# Minimal JRE: the modules listed in docker/jre-modules plus what jdeps finds
# in the shaded jar, minus its "-MODULE" lines; natives stripped; no default
# CDS archive (warden.jsa below holds the JDK classes). Same rule as
# docker/make-jre.sh for the offline image.
COPY docker/jre-modules /tmp/jre-modules
RUN set -eu; \
    lines=$(grep -v '^[[:space:]]*\(#\|$\)' /tmp/jre-modules | sed 's/[[:space:]]//g'); \
    mods=$(echo "$lines" | grep -v '^-' | paste -sd, -); \
    drop=$(echo "$lines" | sed -n 's/^-//p'); \
    found=$(jdeps --ignore-missing-deps --multi-release 17 --print-module-deps target/warden.jar | tail -n 1); \
    mods=$(echo "$mods,$found" | tr , '\n' | sed '/^$/d' | sort -u | grep -vxF "${drop:-//}" | paste -sd, -); \
    echo "jlink modules: $mods"; \
    jlink --add-modules "$mods" --output /opt/warden/jre \
      --strip-debug --no-man-pages --no-header-files --compress=2; \
    find /opt/warden/jre -name '*.so' -exec strip --strip-unneeded {} +; \
    strip --strip-unneeded /opt/warden/jre/bin/* || true; \
    cp target/warden.jar /opt/warden/warden.jar

# ------------------------------------------------------- health check client
# docker/healthcheck/warden-check.c: the HEALTHCHECK without a JVM.
FROM ${DEBIAN_IMAGE} AS healthcheck
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
COPY docker/healthcheck/warden-check.c /tmp/warden-check.c
RUN gcc -O2 -Wall -Wextra -Werror -std=c11 -s -o /usr/local/bin/warden-check /tmp/warden-check.c

# ------------------------------------------------------------------- s6-base
# A bare s6-overlay image (the base a user's own image is built on):
#   docker build --target s6-base -t warden-s6-base .
FROM ${DEBIAN_IMAGE} AS s6-base

# s6-overlay 3.2.0.2 (bundles s6 2.13.1.0: 43-byte supervise/status, which
# warden parses by length; still uses /etc/s6-overlay/s6-rc.d/user/contents.d).
# sha256 of the v3.2.0.2 release assets, as pinned in several independent
# public Dockerfiles (and published beside each asset as <file>.sha256):
#   s6-overlay-noarch.tar.xz            6dbcde15...fd02dae
#   s6-overlay-x86_64.tar.xz            59289456...904f478
#   s6-overlay-aarch64.tar.xz           8b22a2ea...9f66f785
#   s6-overlay-symlinks-noarch.tar.xz   da955247...aec864a37
#   s6-overlay-symlinks-arch.tar.xz     a50ca9cc...840b89a19b
# Changing the version means changing every checksum below.
ARG S6_OVERLAY_VERSION=3.2.0.2
ARG S6_OVERLAY_NOARCH_SHA256=6dbcde158a3e78b9bb141d7bcb5ccb421e563523babbe2c64470e76f4fd02dae
ARG S6_OVERLAY_X86_64_SHA256=59289456ab1761e277bd456a95e737c06b03ede99158beb24f12b165a904f478
ARG S6_OVERLAY_AARCH64_SHA256=8b22a2eaca4bf0b27a43d36e65c89d2701738f628d1abd0cea5569619f66f785
ARG S6_OVERLAY_SYMLINKS_NOARCH_SHA256=da9552471ac9d324f07f22b546dfc36f0a76897d36a0f69952813feaec864a37
ARG S6_OVERLAY_SYMLINKS_ARCH_SHA256=a50ca9cc9c773bfcee362a96a0c68aeef1088d6873ff2968edcb5c840b89a19b
# Set by BuildKit; the legacy builder leaves it empty (= amd64).
ARG TARGETARCH

RUN set -eu; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates curl xz-utils; \
    case "${TARGETARCH:-amd64}" in \
      amd64) arch=x86_64;  arch_sha=$S6_OVERLAY_X86_64_SHA256 ;; \
      arm64) arch=aarch64; arch_sha=$S6_OVERLAY_AARCH64_SHA256 ;; \
      *) echo "no pinned s6-overlay checksum for architecture ${TARGETARCH}" >&2; exit 1 ;; \
    esac; \
    url=https://github.com/just-containers/s6-overlay/releases/download/v${S6_OVERLAY_VERSION}; \
    cd /tmp; \
    for f in s6-overlay-noarch.tar.xz "s6-overlay-$arch.tar.xz" s6-overlay-symlinks-noarch.tar.xz s6-overlay-symlinks-arch.tar.xz; do \
      curl -fsSL --retry 3 -o "$f" "$url/$f"; \
    done; \
    printf '%s  %s\n' \
      "$S6_OVERLAY_NOARCH_SHA256" s6-overlay-noarch.tar.xz \
      "$arch_sha" "s6-overlay-$arch.tar.xz" \
      "$S6_OVERLAY_SYMLINKS_NOARCH_SHA256" s6-overlay-symlinks-noarch.tar.xz \
      "$S6_OVERLAY_SYMLINKS_ARCH_SHA256" s6-overlay-symlinks-arch.tar.xz \
      | sha256sum -c -; \
    for f in s6-overlay-noarch.tar.xz "s6-overlay-$arch.tar.xz" s6-overlay-symlinks-noarch.tar.xz s6-overlay-symlinks-arch.tar.xz; do \
      tar -C / -Jxpf "$f"; \
    done; \
    rm -f /tmp/s6-overlay-*.tar.xz; \
    apt-get purge -y --auto-remove curl xz-utils; \
    rm -rf /var/lib/apt/lists/*

# PATH: /command first, as s6-overlay does, also for the container
# environment that with-contenv gives to warden and the gateway.
ENV PATH=/command:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENTRYPOINT ["/init"]

# ----------------------------------------------------------------- kit-build
# warden's files on the base, and its AppCDS archive trained there on the real
# daemon and CLI through /usr/local/bin/warden (same command line as
# production; docker/train-cds.sh).
FROM s6-base AS kit-build
COPY --from=build /opt/warden/ /opt/warden/
COPY --from=healthcheck /usr/local/bin/warden-check /usr/local/bin/warden-check
COPY s6-rootfs/warden/ /
COPY docker/train-cds.sh /tmp/train-cds.sh
# WARDEN_CDS: full (daemon and command line, the default), cli (the command
# line's classes only: a smaller kit), none (no archive: the smallest kit,
# every JVM start slower). Measured in docs/ADOPTING.md.
ARG WARDEN_CDS=full
RUN if [ "$WARDEN_CDS" = none ]; then rm -f /tmp/train-cds.sh; \
    else WARDEN_CDS_SCOPE=$WARDEN_CDS /tmp/train-cds.sh /opt/warden/warden.jsa && rm -f /tmp/train-cds.sh; fi

# ----------------------------------------------------------------------- kit
# Exactly what an s6-overlay image needs to add warden (docs/ADOPTING.md):
#   docker build --target kit -t warden-kit .
#   # in the other image's Dockerfile:  COPY --from=warden-kit / /
FROM scratch AS kit
COPY --from=kit-build /opt/warden/ /opt/warden/
COPY --from=kit-build /usr/local/bin/warden /usr/local/bin/warden-check /usr/local/bin/
COPY --from=kit-build /usr/local/lib/warden/ /usr/local/lib/warden/
COPY --from=kit-build /usr/local/share/warden/ /usr/local/share/warden/
# warden's own s6-rc files only, never s6-overlay's (the adopting image has its own, maybe another version)
COPY --from=kit-build /etc/s6-overlay/s6-rc.d/warden/ /etc/s6-overlay/s6-rc.d/warden/
# its place in the boot bundle is made by the stage-2 hook at each boot (either bundle layout), reached through
# this profile link; the adopting image sets S6_STAGE2_HOOK=/usr/local/lib/warden/stage2-hook
COPY --from=kit-build /etc/cont-profile.d/ /etc/cont-profile.d/
LABEL warden.variant=kit

# -------------------------------------------------------------- runtime image
# The demo: adopts warden as any image does (the kit, templates, a volume).
FROM s6-base
COPY --from=kit / /
COPY s6-rootfs/demo/ /


# s6-overlay settings. On `docker stop`, s6-rc
# takes warden (an s6-rc longrun) down first; only then do the run-time
# /run/service slots (the gateway) get `d` + SIGTERM, followed by an
# UNCONDITIONAL sleep of S6_KILL_GRACETIME and SIGKILL for what is left.
# Worst case: warden's timeout-kill (3 s, it normally exits in < 1 s)
# + S6_KILL_GRACETIME (3 s) + ~0.4 s = 6.4 s, inside Docker's / compose's 10 s.
#  S6_KILL_GRACETIME=3000       the gateway's shutdown window in a container
#                               stop (and the minimum stop time: ~3.4 s).
#  S6_SERVICES_GRACETIME=3000   wait for legacy /etc/services.d services; this
#                               image has none (set explicitly, s6 default).
#  S6_BEHAVIOUR_IF_STAGE2_FAILS=1  a failed stage 2 is logged and the
#                               container goes on: a halt would restart the
#                               container in a loop in which the health stays
#                               `starting` and nothing shows the failure.
#                               warden itself cannot fail stage 2: its service
#                               has no notification-fd, so s6-rc counts it up
#                               once its run script starts. When warden cannot
#                               start, s6-supervise retries it every ~4 s with
#                               one log line per try naming the cause, the
#                               gateway runs as early start left it (the
#                               recorded intent), and warden-check reports
#                               unhealthy: `docker inspect` shows `unhealthy`
#                               at most ~55 s after the start (start period 20 s
#                               + 3 failed ticks 10 s apart + one 5 s timeout).
#                               README, "When warden cannot start".
#  S6_CMD_WAIT_FOR_SERVICES_MAXTIME=30000  bound of stage 2's wait for the
#                               `user` bundle (warden counts as up at once).
ENV S6_STAGE2_HOOK=/usr/local/lib/warden/stage2-hook \
    S6_KILL_GRACETIME=3000 \
    S6_SERVICES_GRACETIME=3000 \
    S6_BEHAVIOUR_IF_STAGE2_FAILS=1 \
    S6_CMD_WAIT_FOR_SERVICES_MAXTIME=30000 \
    WARDEN_STATE_DIR=/var/lib/warden

# The image's version, recorded by warden at each boot beside its own (an upgrade
# between two boots is journaled "from X to Y"; README, "Upgrades on the record"):
# docker build --build-arg WARDEN_IMAGE_VERSION=1.4.2 ... ; unset: "unknown".
ARG WARDEN_IMAGE_VERSION=unknown
ENV WARDEN_IMAGE_VERSION=${WARDEN_IMAGE_VERSION}
LABEL warden.variant=production
VOLUME /var/lib/warden
# warden-check asks the daemon what `warden check` asks, without a JVM (about 1 ms
# of CPU per tick); unhealthy when warden is not running or not answering.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["warden-check"]
ENTRYPOINT ["/init"]
