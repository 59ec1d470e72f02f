#!/bin/bash
# bench/run.sh [--quick] [--no-docker] [--no-build]
# What warden costs a container: every figure beside its baseline, medians
# over N runs. Host rows use a real s6-svscan on a temporary scandir (like
# the integration tests) and the production wrapper s6-rootfs/warden/usr/local/bin/warden
# with the image's JRE (docker/make-jre.sh) and an AppCDS archive trained the
# way the image trains it (docker/train-cds.sh). Image rows use docker.
#   --quick      few iterations (CI smoke, < 2 min); never fails on timing,
#                only on a broken setup
#   --no-docker  skip the image rows
#   --no-build   use target/warden.jar as it is (default: mvn package first)
# Works in a private directory (WARDEN_BENCH_DIR, default /var/tmp/warden-bench,
# on disk so fsync costs what it costs): copies of the jar and the compiled
# bench classes, so concurrent builds in target/ cannot pull the rug.
# Docker objects it creates are named warden-bench-* and removed at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
quick=0 docker_rows=1 build=1
for a in "$@"; do
  case $a in
    --quick) quick=1 ;;
    --no-docker) docker_rows=0 ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $a" >&2; exit 2 ;;
  esac
done
die() { echo "bench: error: $*" >&2; exit 1; }
say() { echo "bench: $*" >&2; }

if [ $quick = 1 ]; then
  N_START=5 N_SIG=5 N_DEATH=5 N_CLI=10 CPU_S=5 N_DOCKER=2 LOAD_REQ=5 N_TICK=100 N_TICK_JVM=5
  JMH="-f 1 -wi 1 -i 2 -w 1s -r 1s"
else
  N_START=20 N_SIG=30 N_DEATH=30 N_CLI=40 CPU_S=60 N_DOCKER=10 LOAD_REQ=50 N_TICK=1000 N_TICK_JVM=20
  JMH="-f 2 -wi 3 -i 5 -w 2s -r 3s"
fi
LOAD_CLIENTS=1000
N_WATCHERS=100
if [ $quick = 1 ]; then N_WATCH_CYCLES=20 N_WATCH_STATUS=500; else N_WATCH_CYCLES=200 N_WATCH_STATUS=5000; fi
N_SERVICES=50
# 500 services on the host sandbox's s6-svscan are at its default limit of supervised services (its -c):
# the full run tries it, the smoke does not
if [ $quick = 1 ]; then STOP_SERVICES="1 50"; else STOP_SERVICES="1 50 500"; fi
if [ $quick = 1 ]; then N_STOP=5 N_TX=10; else N_STOP=30 N_TX=100; fi

cache=${WARDEN_OFFLINE_CACHE:-/var/cache/warden-offline}
jdk=${WARDEN_JDK:-/usr/lib/jvm/java-17-openjdk-amd64}
W=${WARDEN_BENCH_DIR:-/var/tmp/warden-bench}
wrapper=$repo/s6-rootfs/warden/usr/local/bin/warden
command -v s6-svscan >/dev/null || die "s6-svscan not installed"
command -v hyperfine >/dev/null || die "hyperfine not installed"
command -v python3 >/dev/null || die "python3 not installed (parses JMH/hyperfine JSON)"
[ -x "$jdk/bin/javac" ] || die "no JDK at $jdk (WARDEN_JDK)"

# ---------------------------------------------------------------- build
cd "$repo"
if [ $build = 1 ]; then
  say "building target/warden.jar"
  mvn -q -B -o -Dmaven.test.skip=true package >/dev/null || die "mvn package failed"
fi
[ -s target/warden.jar ] || die "no target/warden.jar"
rm -rf "$W"
mkdir -p "$W/classes"
cp target/warden.jar "$W/warden.jar"
mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$W/cp.txt" >/dev/null \
  || die "mvn dependency:build-classpath failed"
deps=$(cat "$W/cp.txt")
# the bench sources only (independent of whatever else src/test holds right now);
# jmh-generator-annprocess on the class path generates the JMH harness
"$jdk/bin/javac" -nowarn -d "$W/classes" -cp "$W/warden.jar:$deps" src/test/java/io/warden/bench/*.java \
  2> >(grep -v '^Note:' >&2) || die "javac of src/test/java/io/warden/bench failed"
cp -r src/test/resources/it "$W/classes/it"
"$jdk/bin/jar" --create --file "$W/hello.jar" --main-class io.warden.bench.Hello \
  -C "$W/classes" io/warden/bench/Hello.class
CP="$W/classes:$W/warden.jar:$deps"

# the image's JRE (relinked only when the module set changed) and the AppCDS archive
if [ -w "$cache" ] || [ -w "$(dirname "$cache")" ]; then
  "$repo/docker/make-jre.sh" "$cache/jre" "$W/warden.jar" >/dev/null || die "make-jre.sh failed"
  JRE=$cache/jre
else
  "$repo/docker/make-jre.sh" "$W/jre" "$W/warden.jar" >/dev/null || die "make-jre.sh failed"
  JRE=$W/jre
fi
export WARDEN_JAVA=$JRE/bin/java WARDEN_JAR=$W/warden.jar WARDEN_JSA=$W/warden.jsa
unset WARDEN_JAVA_OPTS WARDEN_NOTIFY_FD || true
WARDEN_WRAPPER=$wrapper "$repo/docker/train-cds.sh" "$W/warden.jsa" >&2 || die "train-cds.sh failed"

declare -A R
record() { R[$1]=$2; }
g() { echo "${R[$1]:-}"; }
pb() { # ProcessBench MODE ARGS... -> RESULT lines into R
  local out
  out=$(java -cp "$CP" -Dbench.root="$W/sandbox-$1" -Dbench.warden="$wrapper" -Dbench.hellojar="$W/hello.jar" \
    -Dbench.hellojava="$jdk/bin/java" io.warden.bench.ProcessBench "$@") || die "ProcessBench $1 failed"
  echo "$out" | sed 's/^RESULT /  /' >&2
  while read -r tag k v; do [ "$tag" = RESULT ] && R[$k]=$v; done <<<"$out"
  return 0
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
record load_start "$(loadavg)"

# ---------------------------------------------------------------- process rows
say "daemon start-up vs hello JVM ($N_START runs)"; pb startup "$N_START"
say "idle RSS after 10 s and idle CPU over ${CPU_S} s"; pb idle 1 "$CPU_S"
say "SIGTERM -> cause on disk ($N_SIG runs)"; pb sigterm "$N_SIG"
say "gateway SIGKILL -> warden knows ($N_DEATH runs)"; pb death "$N_DEATH"
sb() { # ServicesBench SERVICES RUNS CPU_SECONDS CLI_RUNS -> RESULT lines into R
  local out
  out=$(java -cp "$CP" -Dbench.root="$W/sandbox-services" -Dbench.warden="$wrapper" io.warden.bench.ServicesBench "$@") \
    || die "ServicesBench failed"
  echo "$out" | sed 's/^RESULT /  /' >&2
  while read -r tag k v; do [ "$tag" = RESULT ] && R[$k]=$v; done <<<"$out"
  return 0
}
say "$N_SERVICES services: ready, idle, list vs status, SIGTERM -> every cause durable ($N_SIG runs)"
sb "$N_SERVICES" "$N_SIG" "$CPU_S" "$N_CLI"
# the stop as one transaction: SIGTERM -> every cause durable with 1, 50, 500 services, each beside one
# fsync+rename's p99 measured in the same run
for n in $STOP_SERVICES; do
  say "$n services: SIGTERM -> every cause durable vs one fsync+rename ($N_STOP runs)"; sb stop "$n" "$N_STOP"
done
say "the stop's transaction alone, in one JVM ($N_TX runs each)"
out=$(java -cp "$CP" io.warden.bench.StopBench "$W/tx" "$N_TX" $STOP_SERVICES) || die "StopBench failed"
echo "$out" | sed 's/^RESULT /  /' >&2
while read -r tag k v; do [ "$tag" = RESULT ] && R[$k]=$v; done <<<"$out"

# ---------------------------------------------------------------- a serving daemon: CLI, JMH, load
S=$W/serve
mkdir -p "$S/scan" "$S/state" "$S/tpl/gateway"
cp src/test/resources/it/gateway-run "$S/tpl/gateway/run"
cp src/test/resources/it/gateway-finish "$S/tpl/gateway/finish"
chmod 0755 "$S/tpl/gateway/run" "$S/tpl/gateway/finish"
export WARDEN_STATE_DIR=$S/state WARDEN_SOCKET=$S/warden.sock WARDEN_SCANDIR=$S/scan WARDEN_TEMPLATE=$S/tpl/gateway
svpid= dpid=
cleanup_serve() {
  [ -n "$dpid" ] && { kill "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null || true; }
  [ -n "$svpid" ] && { s6-svscanctl -t "$S/scan" 2>/dev/null || kill "$svpid" 2>/dev/null; wait "$svpid" 2>/dev/null || true; }
  svpid= dpid=
}
cleanup_docker() { :; }
trap 'cleanup_serve; cleanup_docker' EXIT
s6-svscan "$S/scan" >/dev/null 2>&1 & svpid=$!
"$wrapper" daemon >"$S/daemon.log" 2>&1 & dpid=$!
for i in $(seq 300); do "$wrapper" status >/dev/null 2>&1 && break; sleep 0.1; done
"$wrapper" status >/dev/null || die "serving daemon: gateway not up ($(tail -3 "$S/daemon.log"))"

say "CLI: warden status vs s6-svstat ($N_CLI runs)"
hyperfine -N --style basic --warmup 3 --runs "$N_CLI" --export-json "$W/cli.json" \
  "$wrapper status" "s6-svstat $S/scan/gateway" >&2 || die "hyperfine failed"
read -r cli_ms svstat_ms < <(python3 -c '
import json,sys; r=json.load(open(sys.argv[1]))["results"]
print(*["%.2f" % (x["median"]*1000) for x in r])' "$W/cli.json")
record cli_ms "$cli_ms"; record svstat_ms "$svstat_ms"

say "JMH: status over one connection"
java -cp "$CP" org.openjdk.jmh.Main 'io.warden.bench.StatusBenchmark' $JMH -bm sample -tu us \
  -jvmArgs "-Dwarden.bench.socket=$S/warden.sock" -rf json -rff "$W/jmh.json" >"$W/jmh.log" 2>&1 \
  || { tail -20 "$W/jmh.log" >&2; die "JMH failed"; }
grep -E '^Benchmark|^StatusBenchmark' "$W/jmh.log" | grep -E 'Benchmark +Mode|p0\.(50|99)0?|·p0.50|·p0.99|sample ' >&2 || true
eval "$(python3 -c '
import json,sys
for b in json.load(open(sys.argv[1])):
    name=b["benchmark"].rsplit(".",1)[1]; p=b["primaryMetric"]["scorePercentiles"]
    print("R[jmh_%s_p50]=%.2f; R[jmh_%s_p99]=%.2f" % (name,p["50.0"],name,p["99.0"]))' "$W/jmh.json")"

say "load: $LOAD_CLIENTS concurrent clients x $LOAD_REQ requests"
out=$(java -Xss256k -cp "$CP" io.warden.bench.StatusLoad "$S/warden.sock" "$LOAD_CLIENTS" "$LOAD_REQ") \
  || die "StatusLoad failed: $out"
echo "$out" | sed 's/^/  /' >&2
R[load_p50_ms]=$(echo "$out" | sed -n 's/.*p50_us=\([0-9.]*\).*/\1/p' | awk '{printf "%.2f", $1/1000}')
R[load_p99_ms]=$(echo "$out" | sed -n 's/.*p99_us=\([0-9.]*\).*/\1/p' | awk '{printf "%.2f", $1/1000}')

say "watch: event -> watcher latency (1 and $N_WATCHERS watchers), status p99 with 0 and $N_WATCHERS watchers"
out=$(java -cp "$CP" io.warden.bench.WatchBench "$S/warden.sock" "$N_WATCHERS" "$N_WATCH_CYCLES" "$N_WATCH_STATUS") \
  || die "WatchBench failed: $out"
echo "$out" | sed 's/^RESULT /  /' >&2
while read -r tag k v; do [ "$tag" = RESULT ] && R[$k]=$v; done <<<"$out"
cleanup_serve
unset WARDEN_STATE_DIR WARDEN_SOCKET WARDEN_SCANDIR WARDEN_TEMPLATE

# ---------------------------------------------------------------- image rows
if [ $docker_rows = 1 ]; then
  docker version >/dev/null 2>&1 || die "dockerd does not answer (docker/prepare-offline.sh, or --no-docker)"
  img=warden-bench:image plain=warden-bench:plain vol=warden-bench-state ctr=warden-bench-rc
  D=$W/docker
  mkdir -p "$D/gw" "$D/plain"
  cleanup_docker() {
    docker rm -f "$ctr" >/dev/null 2>&1 || true
    docker volume rm "$vol" >/dev/null 2>&1 || true
    docker rmi "$plain" "$img" >/dev/null 2>&1 || true
  }
  say "building $img (docker/build-image.sh) and $plain"
  WARDEN_JAR_PATH=$W/warden.jar "$repo/docker/build-image.sh" "$img" >&2 || die "build-image.sh failed"
  # the same image, but the gateway is a plain s6 service of the user bundle and warden is not started
  cat >"$D/plain/Dockerfile" <<EOD
FROM $img
RUN set -e; d=/etc/s6-overlay/s6-rc.d; mkdir -p \$d/gateway; \\
    cp /etc/warden/services/gateway/run /etc/warden/services/gateway/finish \$d/gateway/; \\
    echo longrun > \$d/gateway/type; rm -f \$d/user/contents.d/warden; touch \$d/user/contents.d/gateway
EOD
  DOCKER_BUILDKIT=0 docker build -q --network none -t "$plain" "$D/plain" >/dev/null || die "plain image build failed"
  # the gateway writes its start time (ns since the epoch; same clock as the host) and becomes demo-gateway
  printf '#!/bin/sh\ndate +%%s%%N > /bench/up.tmp && mv /bench/up.tmp /bench/up\nexec /usr/local/bin/demo-gateway\n' >"$D/gw/gw"
  chmod 0755 "$D/gw/gw"
  recreate() { # IMAGE -> "start_ms total_ms" of one recreate (stop+rm old, run new, gateway up)
    local t0 t1 up i
    rm -f "$D/gw/up"
    t0=$(date +%s%N)
    docker stop -t 10 "$ctr" >/dev/null 2>&1 || true
    docker rm -f "$ctr" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    docker run -d --name "$ctr" --network none -v "$vol:/var/lib/warden" -v "$D/gw:/bench" \
      -e GATEWAY_COMMAND=/bench/gw "$1" >/dev/null || die "docker run $1 failed"
    for i in $(seq 3000); do [ -s "$D/gw/up" ] && break; sleep 0.005; done
    [ -s "$D/gw/up" ] || die "gateway of $1 never came up ($(docker logs --tail 5 "$ctr" 2>&1))"
    up=$(cat "$D/gw/up")
    echo "$(( (up - t1) / 1000000 )) $(( (up - t0) / 1000000 ))"
  }
  for v in warden plain; do
    image=$img; [ $v = plain ] && image=$plain
    docker rm -f "$ctr" >/dev/null 2>&1 || true
    docker volume rm "$vol" >/dev/null 2>&1 || true
    recreate "$image" >/dev/null   # first boot of the volume; not counted
    starts=() totals=()
    for i in $(seq "$N_DOCKER"); do
      read -r s t < <(recreate "$image")
      starts+=("$s"); totals+=("$t")
    done
    say "recreate $v: start->up ms ${starts[*]}; stop+start->up ms ${totals[*]}"
    R[rc_${v}_start]=$(printf '%s\n' "${starts[@]}" | sort -n | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}')
    R[rc_${v}_total]=$(printf '%s\n' "${totals[@]}" | sort -n | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}')
  done
  docker rm -f "$ctr" >/dev/null 2>&1 || true

  # One HEALTHCHECK tick's CPU inside the image: the command run N times in one
  # `docker exec` (the shell's `times`: its children's user+sys), plus what the
  # daemon spent answering (its utime+stime from /proc over the same loop).
  # Docker's own exec path (dockerd, containerd, runc) is the same for every
  # command and not counted.
  docker run -d --name "$ctr" --network none -v "$vol:/var/lib/warden" "$img" >/dev/null || die "docker run $img failed"
  for i in $(seq 200); do docker exec "$ctr" warden-check >/dev/null 2>&1 && break; sleep 0.1; done
  docker exec "$ctr" warden-check >/dev/null || die "warden-check never healthy in $img"
  tick() { # N COMMAND... -> "client_ms daemon_ms" per run
    docker exec "$ctr" sh -c '
      n=$1; shift
      p=$(s6-svstat -o pid /run/service/warden)
      d0=$(cut -d" " -f14,15 /proc/$p/stat)
      i=0; while [ $i -lt "$n" ]; do "$@" >/dev/null 2>&1; i=$((i + 1)); done
      d1=$(cut -d" " -f14,15 /proc/$p/stat)
      hz=$(getconf CLK_TCK)
      times >/tmp/.bench-times; sed -n 2p /tmp/.bench-times | sed "s/m/ /g; s/s//g" | awk -v n="$n" -v a="$d0" -v b="$d1" -v hz="$hz" "{
        split(a, x, \" \"); split(b, y, \" \")
        printf \"%.3f %.3f\\n\", (\$1 * 60 + \$2 + \$3 * 60 + \$4) * 1000 / n, (y[1] + y[2] - x[1] - x[2]) * 1000 / hz / n }"
    ' tick "$@" | tr -s ' '
  }
  say "HEALTHCHECK tick CPU in the image: warden-check / s6-svstat x $N_TICK, warden check x $N_TICK_JVM"
  read -r R[tick_client] R[tick_daemon] < <(tick "$N_TICK" warden-check)
  read -r R[tick_svstat] _ < <(tick "$N_TICK" s6-svstat /run/service/gateway)
  read -r R[tick_jvm] R[tick_jvm_daemon] < <(tick "$N_TICK_JVM" warden check)
  say "tick: warden-check $(g tick_client) ms + daemon $(g tick_daemon) ms; s6-svstat $(g tick_svstat) ms; warden check $(g tick_jvm) ms + daemon $(g tick_jvm_daemon) ms"
  R[tick_total]=$(awk -v a="$(g tick_client)" -v b="$(g tick_daemon)" 'BEGIN{printf "%.2f", a + b}')
  docker rm -f "$ctr" >/dev/null 2>&1 || true
  R[img_mb]=$(docker image inspect -f '{{.Size}}' "$img" | awk '{printf "%.1f", $1/1e6}')
  R[base_mb]=$(docker image inspect -f '{{.Size}}' debian:bookworm-slim | awk '{printf "%.1f", $1/1e6}')
  cleanup_docker
  cleanup_docker() { :; }
fi
record load_end "$(loadavg)"

# ---------------------------------------------------------------- table
row() { # figure value unit baseline-name baseline-value target
  local ratio=""
  if [ -n "$5" ] && [ -n "$2" ]; then ratio=$(awk -v a="$2" -v b="$5" 'BEGIN{ if (b>0) printf "%.2f", a/b }'); fi
  printf '| %-52s | %10s %-3s | %-28s | %10s | %6s | %-14s |\n' "$1" "$2" "$3" "$4" "$5" "$ratio" "$6"
}
echo
echo "warden bench ($([ $quick = 1 ] && echo quick || echo full)): $(nproc) CPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), $("$WARDEN_JAVA" -version 2>&1 | head -1)"
echo "load average at start $(g load_start), at end $(g load_end)"
echo
printf '| %-52s | %14s | %-28s | %10s | %6s | %-14s |\n' figure "value" baseline "baseline" ratio target
echo "|------------------------------------------------------|----------------|------------------------------|------------|--------|----------------|"
row "daemon: exec -> status answered, intent applied (p50)" "$(g startup_ms)" ms "hello JVM exec->exit" "$(g hello_ms)" "<= 250 ms"
row "daemon idle RSS after 10 s" "$(g rss_mib)" MiB "hello JVM idle RSS" "$(g hello_rss_mib)" "<= 48 MiB"
row "daemon idle CPU over ${CPU_S} s (wakeups/s: $(g idle_wakeups_per_s))" "$(g idle_cpu_pct)" "%" "" "" "<= 0.1 %"
row "warden status, CLI end to end (median)" "$(g cli_ms)" ms "s6-svstat same service" "$(g svstat_ms)" "<= 120 ms"
row "status, 1 connection, JMH p50" "$(g jmh_statusOneConnection_p50)" us "" "" "<= 50 us"
row "status, 1 connection, JMH p99" "$(g jmh_statusOneConnection_p99)" us "" "" "<= 500 us"
row "status, new connection each, JMH p50" "$(g jmh_statusNewConnection_p50)" us "" "" "-"
row "status p99, $LOAD_CLIENTS concurrent clients" "$(g load_p99_ms)" ms "" "" "<= 20 ms"
row "SIGTERM -> cause durable (p99; p50 $(g sigterm_durable_ms))" "$(g sigterm_durable_ms_p99)" ms "fsync+rename p99 (p50 $(g fsync_rename_ms))" "$(g fsync_rename_ms_p99)" "p99 <= 15 ms"
row "  SIGTERM -> warden handles it (journal at, p50)" "$(g sigterm_handled_ms)" ms "" "" "-"
row "  SIGTERM -> new gateway.json visible (p50)" "$(g sigterm_visible_ms)" ms "" "" "-"
row "  SIGTERM -> process exit (p50)" "$(g sigterm_exit_ms)" ms "" "" "-"
row "gateway SIGKILL -> status shows it (p99; p50 $(g death_status_ms))" "$(g death_status_ms_p99)" ms "" "" "p99 <= 20 ms"
row "  gateway SIGKILL -> journal gateway-exit at (p99)" "$(g death_journal_ms_p99)" ms "" "" "-"
row "event -> watcher, 1 watcher (p99; p50 $(g watch_latency_1_ms))" "$(g watch_latency_1_ms_p99)" ms "" "" "p99 <= 20 ms"
row "event -> watcher, $N_WATCHERS watchers (p99; p50 $(g watch_latency_${N_WATCHERS}_ms))" "$(g watch_latency_${N_WATCHERS}_ms_p99)" ms "" "" "p99 <= 20 ms"
row "status p99 while events flow, $N_WATCHERS watchers" "$(g watch_status_${N_WATCHERS}_ms_p99)" ms "no watcher" "$(g watch_status_0_ms_p99)" "+<= 2 ms"
row "$N_SERVICES services: exec -> check healthy (p50)" "$(g services_ready_ms)" ms "1 service" "$(g startup_ms)" "<= 400 ms"
row "$N_SERVICES services: idle RSS after 10 s" "$(g services_rss_mib)" MiB "1 service" "$(g rss_mib)" "<= 56 MiB"
row "$N_SERVICES services: idle CPU over ${CPU_S} s" "$(g services_idle_cpu_pct)" "%" "1 service" "$(g idle_cpu_pct)" "<= 0.1 %"
row "$N_SERVICES services: warden list (median)" "$(g services_list_ms)" ms "warden status NAME" "$(g services_status_ms)" "ratio <= 1.3"
row "$N_SERVICES services: SIGTERM -> all causes durable p99" "$(g services_sigterm_durable_ms_p99)" ms "p50" "$(g services_sigterm_durable_ms)" "p99 <= 50 ms"
row "  of which: the stop's transaction (p99)" "$(g services_sigterm_write_ms_p99)" ms "" "" "-"
for n in $STOP_SERVICES; do
  row "$n services: SIGTERM -> every cause durable (p99; p50 $(g stop${n}_sigterm_durable_ms))" "$(g stop${n}_sigterm_durable_ms_p99)" ms "fsync+rename p99, same run" "$(g stop${n}_fsync_rename_ms_p99)" "ratio <= 2"
  row "  $n services: the transaction alone, one JVM (p99)" "$(g tx${n}_commit_ms_p99)" ms "fsync+rename p99, interleaved" "$(g tx${n}_fsync_rename_ms_p99)" "-"
done
if [ $docker_rows = 1 ]; then
  row "container run -> gateway up, warden image" "$(g rc_warden_start)" ms "same, gateway plain s6" "$(g rc_plain_start)" "ratio <= 1.25"
  row "container stop+run -> gateway up, warden image" "$(g rc_warden_total)" ms "same, gateway plain s6" "$(g rc_plain_total)" "-"
  row "HEALTHCHECK tick CPU, warden-check + daemon" "$(g tick_total)" ms "s6-svstat, same path" "$(g tick_svstat)" "<= 5 ms"
  row "  warden check (JVM) tick CPU, for comparison" "$(g tick_jvm)" ms "" "" "-"
  row "offline image size" "$(g img_mb)" MB "debian:bookworm-slim" "$(g base_mb)" "<= 130 MB"
fi
