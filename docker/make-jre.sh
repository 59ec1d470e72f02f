#!/bin/bash
# docker/make-jre.sh OUTDIR [JAR]
# jlinks a minimal JRE for warden into OUTDIR from the host's JDK 17.
# Modules: docker/jre-modules plus `jdeps --print-module-deps JAR` when JAR is
# given, minus the "-MODULE" lines of docker/jre-modules. Native libraries are
# stripped (--strip-unneeded, -4 MB on libjvm.so). No default CDS archive:
# the image builds warden's own AppCDS archive (docker/train-cds.sh), which
# holds the JDK classes too. Does nothing when OUTDIR already holds a JRE with exactly that module
# set (recorded in OUTDIR/.warden-modules), so it is cheap to call every build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: make-jre.sh OUTDIR [JAR]}
jar=${2:-}
jdk=${WARDEN_JDK:-/usr/lib/jvm/java-17-openjdk-amd64}
err() { echo "make-jre: error: $*" >&2; exit 1; }

[ -x "$jdk/bin/jlink" ] || err "no jlink in $jdk (install openjdk-17-jdk-headless, or set WARDEN_JDK)"
lines=$(grep -v '^[[:space:]]*\(#\|$\)' "$here/jre-modules" | sed 's/[[:space:]]//g')
mods=$(echo "$lines" | grep -v '^-' | paste -sd, -)
drop=$(echo "$lines" | sed -n 's/^-//p')
if [ -n "$jar" ]; then
  [ -r "$jar" ] || err "cannot read $jar"
  found=$("$jdk/bin/jdeps" --ignore-missing-deps --multi-release 17 --print-module-deps "$jar" 2>/dev/null | tail -n 1) \
    || err "jdeps failed on $jar"
  [ -n "$found" ] && mods="$mods,$found"
fi
mods=$(echo "$mods" | tr , '\n' | sed '/^$/d' | sort -u | grep -vxF "${drop:-//}" | paste -sd, -)
# what .warden-modules records: the module set and how the JRE was made
stamp="$mods stripped,no-default-cds"

if [ -x "$out/bin/java" ] && [ "$(cat "$out/.warden-modules" 2>/dev/null)" = "$stamp" ]; then
  echo "make-jre: $out is up to date ($mods)"
  exit 0
fi
echo "make-jre: linking JRE with modules $mods"
tmp="$out.tmp.$$"
rm -rf "$tmp"
mkdir -p "$(dirname "$out")"
"$jdk/bin/jlink" --add-modules "$mods" --output "$tmp" \
  --strip-debug --no-man-pages --no-header-files --compress=2 \
  || { rm -rf "$tmp"; err "jlink failed"; }
if command -v strip >/dev/null 2>&1; then
  find "$tmp" -name '*.so' -exec strip --strip-unneeded {} +
  strip --strip-unneeded "$tmp"/bin/* 2>/dev/null || true
fi
echo "$stamp" > "$tmp/.warden-modules"
rm -rf "$out"
mv "$tmp" "$out"
echo "make-jre: $out ready ($(du -sh "$out" | cut -f1))"
