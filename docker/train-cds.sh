#!/bin/sh
# docker/train-cds.sh OUT.jsa
# Builds warden's AppCDS archive (a static JDK 17 archive: JDK + app classes
# in one file, replacing the JRE's default classes.jsa) from a training run of
# the REAL command lines: a daemon under a real s6-svscan on a temporary
# scandir (boot, status, restart through the control FIFO, SIGTERM), and the
# CLI (status, status --json, check, history, restart).
# Every JVM, training and dump, is started through the production wrapper
# (/usr/local/bin/warden), so flags, JRE, jar path and class path are exactly
# those of production (CDS rejects an archive whose class path differs).
# Run at image build time (docker/Dockerfile.offline, Dockerfile) and by
# bench/run.sh on the host. Environment: WARDEN_WRAPPER (default
# /usr/local/bin/warden), WARDEN_JAVA / WARDEN_JAR (passed to the wrapper).
set -eu
out=${1:?usage: train-cds.sh OUT.jsa}
wrapper=${WARDEN_WRAPPER:-/usr/local/bin/warden}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/warden-cds.XXXXXX")
sv=
d=
cleanup() {
  [ -n "$d" ] && kill "$d" 2>/dev/null
  [ -n "$sv" ] && { s6-svscanctl -t "$tmp/scan" 2>/dev/null || kill "$sv" 2>/dev/null; wait "$sv" 2>/dev/null; }
  [ -n "${WARDEN_CDS_KEEP:-}" ] && cp "$tmp/classes.lst" "$WARDEN_CDS_KEEP"
  # the daemon's stop witness (README, "State on the volume") notes the gateway's end in the state directory
  # a moment after s6-svscan ended it: let it finish before the directory goes
  n=0
  until rm -rf "$tmp" 2>/dev/null || [ "$n" -ge 40 ]; do n=$((n + 1)); sleep 0.05; done
  [ ! -e "$tmp" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$tmp/scan" "$tmp/state" "$tmp/tpl/gateway" "$tmp/lists"
printf '#!/bin/sh\nexec sleep 100000\n' > "$tmp/tpl/gateway/run"
chmod 0755 "$tmp/tpl/gateway/run"
WARDEN_STATE_DIR=$tmp/state WARDEN_SOCKET=$tmp/warden.sock WARDEN_SCANDIR=$tmp/scan \
  WARDEN_TEMPLATE=$tmp/tpl/gateway WARDEN_JSA=
export WARDEN_STATE_DIR WARDEN_SOCKET WARDEN_SCANDIR WARDEN_TEMPLATE WARDEN_JSA
unset WARDEN_NOTIFY_FD WARDEN_JAVA_OPTS || true

s6-svscan "$tmp/scan" >/dev/null 2>&1 &
sv=$!
n=0
cli() {
  n=$((n + 1))
  WARDEN_JAVA_OPTS="-XX:DumpLoadedClassList=$tmp/lists/cli-$n.lst" "$wrapper" "$@" >/dev/null 2>&1
}
WARDEN_JAVA_OPTS="-XX:DumpLoadedClassList=$tmp/lists/daemon.lst" "$wrapper" daemon >"$tmp/daemon.log" 2>&1 &
d=$!
i=0
until cli status; do
  i=$((i + 1))
  if [ "$i" -ge 300 ] || ! kill -0 "$d" 2>/dev/null; then
    echo "train-cds: the daemon did not come up; its log:" >&2
    cat "$tmp/daemon.log" >&2
    exit 1
  fi
  sleep 0.1
done
cli status --json || true
cli check || true
cli history -n 5 || true
cli history --json || true
cli restart --timeout 10 --reason cds-training || true
cli status || true
kill -TERM "$d"
wait "$d" || true
d=

# One list: drop the per-file "id:" numbers (they only matter for classes of
# custom loaders, which warden has none of), keep the first of each line.
# WARDEN_CDS_SCOPE=cli: the command line's classes only (a smaller archive, about 9 MB instead of 13; the
# daemon, started once per container, then loads the rest from the jar and the JRE: docs/ADOPTING.md).
case ${WARDEN_CDS_SCOPE:-full} in
  full) lists="$tmp/lists/daemon.lst" ;;
  cli) lists= ;;
  *) echo "train-cds: WARDEN_CDS_SCOPE must be full or cli, not '$WARDEN_CDS_SCOPE'" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086
cat $lists "$tmp/lists"/cli-*.lst \
  | grep -v '^#' | sed 's/ id: [0-9]*$//' | awk '!seen[$0]++' > "$tmp/classes.lst"
rm -f "$out"
WARDEN_JAVA_OPTS="-Xshare:dump -XX:SharedClassListFile=$tmp/classes.lst -XX:SharedArchiveFile=$out -Xlog:cds=off -Xlog:cds+dynamic=off" \
  "$wrapper" >"$tmp/dump.log" 2>&1 || { cat "$tmp/dump.log" >&2; echo "train-cds: dump failed" >&2; exit 1; }
[ -s "$out" ] || { cat "$tmp/dump.log" >&2; echo "train-cds: no archive written" >&2; exit 1; }
chmod 0444 "$out"
echo "train-cds: $out ($(wc -l < "$tmp/classes.lst") classes listed, $(du -k "$out" | cut -f1) KiB)"
