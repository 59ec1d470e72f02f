package io.warden.bench;

import io.warden.cli.Client;
import io.warden.json.Json;
import io.warden.state.DurableFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Process-level benchmarks of the real daemon (bench/run.sh; never run by mvn verify). A real s6-svscan on a
 * temporary scandir under {@code -Dbench.root} (on disk, not tmpfs, so fsync costs what it costs), the daemon
 * started through the production wrapper {@code -Dbench.warden} (same JVM flags as the image; WARDEN_JAVA,
 * WARDEN_JAR, WARDEN_JSA come from the environment), the baseline "hello" JVM through the same wrapper with
 * {@code WARDEN_JAR=-Dbench.hellojar} (and {@code WARDEN_JAVA=-Dbench.hellojava} when given).
 *
 * <p>Usage: ProcessBench startup|idle|sigterm|death|fsync RUNS [SECONDS]. Prints {@code RESULT key value} lines.
 */
public final class ProcessBench {
    private static final Path ROOT = Path.of(System.getProperty("bench.root", "target/bench-sandbox")).toAbsolutePath();
    private static final String WARDEN = System.getProperty("bench.warden", "s6-rootfs/warden/usr/local/bin/warden");
    private static final String HELLO_JAR = System.getProperty("bench.hellojar", "target/bench-hello.jar");
    /** java for the hello baseline (default: the wrapper's); a full JDK keeps its default CDS archive. */
    private static final String HELLO_JAVA = System.getProperty("bench.hellojava", "");

    private final Path state = ROOT.resolve("state");
    private final Path template = ROOT.resolve("template/gateway");
    private final Path socket = ROOT.resolve("run/warden/warden.sock");
    private Path scandir;
    private Process svscan;
    private int daemons;

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        ProcessBench b = new ProcessBench();
        try {
            b.setUp();
            switch (mode) {
                case "startup" -> b.startup(runs);
                case "idle" -> b.idle(seconds);
                case "sigterm" -> b.sigterm(runs);
                case "death" -> b.death(runs);
                case "fsync" -> b.fsync(runs);
                default -> throw new IllegalArgumentException("unknown mode " + mode);
            }
        } finally {
            b.tearDown();
        }
    }

    // ---- sandbox ---------------------------------------------------------------------------------------------

    private void setUp() throws IOException, InterruptedException {
        deleteTree(ROOT);
        Files.createDirectories(ROOT);
        Files.setPosixFilePermissions(ROOT, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(state);
        Files.createDirectories(template);
        copyResource("it/gateway-run", template.resolve("run"));
        copyResource("it/gateway-finish", template.resolve("finish"));
        scandir = Files.createDirectories(ROOT.resolve("run/service"));
        svscan = new ProcessBuilder("s6-svscan", scandir.toString()).redirectErrorStream(true)
                .redirectOutput(ROOT.resolve("svscan.log").toFile()).start();
        await(Duration.ofSeconds(5), () -> Files.exists(scandir.resolve(".s6-svscan/control")));
        // warm the harness's own client code so the first measured probe does not pay class loading
        try {
            new Client(ROOT.resolve("nothing.sock"), 100).call("status", Map.of());
        } catch (IOException expected) {
            // no daemon yet
        }
    }

    private void tearDown() throws InterruptedException {
        if (svscan != null) {
            List<ProcessHandle> kids = svscan.descendants().toList();
            svscan.destroy();
            svscan.waitFor(5, TimeUnit.SECONDS);
            for (ProcessHandle h : kids) h.destroyForcibly();
            svscan.destroyForcibly();
        }
    }

    private static void copyResource(String name, Path to) throws IOException {
        try (InputStream in = ProcessBench.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IOException("missing test resource " + name);
            Files.copy(in, to);
        }
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Process spawnDaemon() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(WARDEN, "daemon").redirectErrorStream(true)
                .redirectOutput(ROOT.resolve("warden-" + (++daemons) + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.put("WARDEN_STATE_DIR", state.toString());
        env.put("WARDEN_SOCKET", socket.toString());
        env.put("WARDEN_SCANDIR", scandir.toString());
        env.put("WARDEN_TEMPLATE", template.toString());
        // the death benchmark kills the gateway over and over: keep warden's crash-loop hold at its minimum
        env.put("WARDEN_BACKOFF_MAX", "1");
        return pb.start();
    }

    private ProcessBuilder hello(String... args) {
        List<String> cmd = new ArrayList<>(List.of(WARDEN));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("WARDEN_JAR", HELLO_JAR);
        pb.environment().put("WARDEN_JSA", "");
        if (!HELLO_JAVA.isEmpty()) pb.environment().put("WARDEN_JAVA", HELLO_JAVA);
        return pb;
    }

    /** The status result when the daemon answers with observed/desired known, else null. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> statusOrNull() {
        if (!Files.exists(socket)) return null;
        try {
            Map<String, Object> m = new Client(socket, 2000).call("status", Map.of());
            if (!Boolean.TRUE.equals(m.get("ok"))) return null;
            Map<String, Object> r = (Map<String, Object>) m.get("result");
            Object obs = r.get("observed");
            if (obs == null || "unknown".equals(obs) || r.get("desired") == null) return null;
            return r;
        } catch (IOException e) {
            return null;
        }
    }

    /** Spawns the daemon and returns nanoseconds from spawn to the first answered status with intent applied. */
    private long startDaemonTimed(Process[] out) throws IOException {
        long t0 = System.nanoTime();
        Process p = spawnDaemon();
        out[0] = p;
        while (true) {
            if (statusOrNull() != null) return System.nanoTime() - t0;
            if (!p.isAlive()) throw new IllegalStateException("daemon exited " + p.exitValue() + "; see " + ROOT);
            if (System.nanoTime() - t0 > 30_000_000_000L) throw new IllegalStateException("daemon not ready in 30 s");
            LockSupport.parkNanos(200_000);
        }
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("daemon ignored SIGTERM for 15 s");
        }
    }

    private long awaitGatewayUp(Duration max) throws InterruptedException {
        long[] pid = {0};
        await(max, () -> {
            Map<String, Object> r = statusOrNull();
            if (r != null && "up".equals(r.get("observed")) && r.get("pid") instanceof Long l) {
                pid[0] = l;
                return true;
            }
            return false;
        });
        return pid[0];
    }

    // ---- benchmarks ------------------------------------------------------------------------------------------

    private void startup(int runs) throws Exception {
        Process[] p = new Process[1];
        // warm-up: first boot installs the servicedir and creates the state files
        startDaemonTimed(p);
        awaitGatewayUp(Duration.ofSeconds(20));
        stop(p[0]);
        long[] d = new long[runs];
        for (int i = 0; i < runs; i++) {
            d[i] = startDaemonTimed(p);
            stop(p[0]);
        }
        long[] h = new long[runs];
        hello().start().waitFor();
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            Process q = hello().start();
            q.waitFor();
            h[i] = System.nanoTime() - t0;
            if (q.exitValue() != 0) throw new IllegalStateException("hello JVM exited " + q.exitValue());
        }
        report("startup_ms", d, 1e6);
        report("hello_ms", h, 1e6);
    }

    private void idle(int cpuSeconds) throws Exception {
        Process[] p = new Process[1];
        startDaemonTimed(p);
        long pid = p[0].pid();
        awaitGatewayUp(Duration.ofSeconds(20));
        Process hello = hello("idle").start();
        Thread.sleep(10_000);
        long rss = vmRssKb(pid);
        long helloRss = vmRssKb(hello.pid());
        int threads = Integer.parseInt(procStatus(pid, "Threads"));
        hello.destroyForcibly();
        long[] c0 = cpuTicks(pid);
        long n0 = cpuNanos(pid);
        long w0 = wakeups(pid);
        long t0 = System.nanoTime();
        Thread.sleep(cpuSeconds * 1000L);
        long[] c1 = cpuTicks(pid);
        long n1 = cpuNanos(pid);
        long w1 = wakeups(pid);
        double wall = (System.nanoTime() - t0) / 1e9;
        // the scheduler's own run time (ns): tick sampling charges a whole tick to a thread that merely wakes
        // on a tick boundary, which overstates a mostly idle process many times over
        double cpuPct = (n1 - n0) / 1e9 / wall * 100;
        stop(p[0]);
        System.out.printf("RESULT rss_mib %.1f%nRESULT hello_rss_mib %.1f%nRESULT threads %d%n", rss / 1024.0,
                helloRss / 1024.0, threads);
        System.out.printf("RESULT idle_cpu_pct %.3f%nRESULT idle_cpu_ticks %d%nRESULT idle_seconds %.1f%n"
                        + "RESULT idle_wakeups_per_s %.1f%n", cpuPct, (c1[0] - c0[0]) + (c1[1] - c0[1]), wall,
                (w1 - w0) / wall);
    }

    private void sigterm(int runs) throws Exception {
        Path stateFile = state.resolve("gateway.json");
        Process[] p = new Process[1];
        long[] handled = new long[runs];
        long[] visible = new long[runs];
        long[] durable = new long[runs];
        long[] exit = new long[runs];
        int size = 0;
        for (int i = -1; i < runs; i++) {
            startDaemonTimed(p);
            awaitGatewayUp(Duration.ofSeconds(20));
            String before = Files.readString(stateFile);
            String runBefore = Files.readString(state.resolve("run.json"));
            size = before.length();
            Instant sent = Instant.now();
            long n0 = System.nanoTime();
            p[0].destroy(); // SIGTERM
            long vis = -1;
            long dur = -1;
            // the stop's transaction renames run.json (every cause in it) into place, fsyncs the directory, and
            // only then are the causes written into each service's file: gateway.json changing is an upper bound
            // of "the cause is durable"
            while (vis < 0 || dur < 0) {
                if (vis < 0 && runJsonChanged(runBefore)) vis = System.nanoTime() - n0;
                if (dur < 0) {
                    String now = readQuietly(stateFile);
                    if (now != null && !now.equals(before)) dur = System.nanoTime() - n0;
                }
                if (System.nanoTime() - n0 > 15_000_000_000L) throw new IllegalStateException("no cause recorded");
                LockSupport.parkNanos(50_000);
            }
            p[0].waitFor();
            long ex = System.nanoTime() - n0;
            Map<String, Object> rec = lastJournal("warden-stop");
            if (!"signal".equals(rec.get("cause"))) throw new IllegalStateException("cause not signal: " + rec);
            long hd = Duration.between(sent, Instant.parse((String) rec.get("endedAt"))).toNanos();
            if (i >= 0) {
                handled[i] = hd;
                visible[i] = vis;
                durable[i] = dur;
                exit[i] = ex;
            }
        }
        report("sigterm_handled_ms", handled, 1e6);
        report("sigterm_visible_ms", visible, 1e6);
        report("sigterm_durable_ms", durable, 1e6);
        report("sigterm_exit_ms", exit, 1e6);
        System.out.printf("RESULT state_file_bytes %d%n", size);
        fsyncBaseline(runs, size);
    }

    /** True once the stop's run record is in place (renamed; its directory fsync may still be running). */
    private boolean runJsonChanged(String runBefore) {
        String now = readQuietly(state.resolve("run.json"));
        return now != null && !now.equals(runBefore);
    }

    private void fsync(int runs) throws IOException {
        fsyncBaseline(runs, 700);
    }

    private void fsyncBaseline(int runs, int size) throws IOException {
        Path dir = Files.createDirectories(ROOT.resolve("fsync"));
        DurableFile f = new DurableFile(dir.resolve("gateway.json"));
        String content = "x".repeat(size);
        f.write(content);
        long[] d = new long[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            f.write(content);
            d[i] = System.nanoTime() - t0;
        }
        report("fsync_rename_ms", d, 1e6);
    }

    private void death(int runs) throws Exception {
        Process[] p = new Process[1];
        startDaemonTimed(p);
        long[] known = new long[runs];
        long[] journal = new long[runs];
        for (int i = -1; i < runs; i++) {
            long pid = awaitGatewayUp(Duration.ofSeconds(20));
            Thread.sleep(1100); // s6 restarts at most once a second: keep every kill a plain death
            ProcessHandle gw = ProcessHandle.of(pid).orElseThrow();
            Instant sent = Instant.now();
            long n0 = System.nanoTime();
            gw.destroyForcibly(); // SIGKILL
            long k;
            while (true) {
                Map<String, Object> r = statusOrNull();
                if (r != null && (!"up".equals(r.get("observed")) || !Long.valueOf(pid).equals(r.get("pid")))) {
                    k = System.nanoTime() - n0;
                    break;
                }
                if (System.nanoTime() - n0 > 10_000_000_000L) throw new IllegalStateException("death unnoticed");
                // a short pause between probes: a client spinning on 2 cores would steal the CPU from s6-supervise
                // and warden, the very processes being timed
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
            Map<String, Object> rec = null;
            for (int t = 0; t < 1000; t++) {
                rec = lastJournal("gateway-exit");
                if (rec != null && Long.valueOf(pid).equals(rec.get("pid"))) break;
                Thread.sleep(2);
            }
            if (i >= 0) {
                known[i] = k;
                journal[i] = Duration.between(sent, Instant.parse((String) rec.get("at"))).toNanos();
            }
        }
        stop(p[0]);
        report("death_status_ms", known, 1e6);
        report("death_journal_ms", journal, 1e6);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private Map<String, Object> lastJournal(String event) throws Exception {
        List<String> lines = Files.readAllLines(state.resolve("journal.jsonl"));
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).contains("\"" + event + "\"")) {
                Map<String, Object> m = Json.parseObject(lines.get(i));
                if (event.equals(m.get("event"))) return m;
            }
        }
        return null;
    }

    private static String readQuietly(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return null;
        }
    }

    static long vmRssKb(long pid) throws IOException {
        return Long.parseLong(procStatus(pid, "VmRSS").replace("kB", "").trim());
    }

    static String procStatus(long pid, String key) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith(key + ":")) return l.substring(key.length() + 1).trim();
        }
        throw new IOException(key + " not in /proc/" + pid + "/status");
    }

    /** Nanoseconds on a CPU, summed over every thread ({@code /proc/PID/task/TID/schedstat}, first field). */
    static long cpuNanos(long pid) throws IOException {
        long n = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    n += Long.parseLong(Files.readString(t.resolve("schedstat")).trim().split(" ")[0]);
                } catch (java.nio.file.NoSuchFileException ended) {
                    // a thread that ended between the listing and the read
                }
            }
        }
        return n;
    }

    /** utime, stime (clock ticks) of the whole process. */
    private static long[] cpuTicks(long pid) throws IOException {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return new long[]{Long.parseLong(f[11]), Long.parseLong(f[12])}; // fields 14, 15
    }

    /** Context switches summed over every thread: how often the process woke up. */
    private static long wakeups(long pid) throws IOException {
        long n = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                for (String l : Files.readAllLines(t.resolve("status"))) {
                    if (l.startsWith("voluntary_ctxt_switches:") || l.startsWith("nonvoluntary_ctxt_switches:")) {
                        n += Long.parseLong(l.substring(l.indexOf(':') + 1).trim());
                    }
                }
            }
        }
        return n;
    }

    static void report(String key, long[] v, double unit) {
        long[] s = v.clone();
        Arrays.sort(s);
        double[] d = Arrays.stream(s).mapToDouble(x -> x / unit).toArray();
        System.out.printf("RESULT %s %.3f%nRESULT %s_p90 %.3f%nRESULT %s_p99 %.3f%nRESULT %s_runs %s%n", key,
                median(d), key, pct(d, 0.90), key, pct(d, 0.99), key, Arrays.toString(
                        Arrays.stream(v).mapToObj(x -> String.format("%.1f", x / unit)).toArray()));
    }

    private static double median(double[] s) {
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double pct(double[] s, double p) {
        return s[Math.max(0, Math.min(s.length - 1, (int) Math.ceil(p * s.length) - 1))];
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void await(Duration max, Check c) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < end) {
            try {
                if (c.ok()) return;
            } catch (Exception e) {
                // retry
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("condition not met within " + max);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> w = Files.walk(p)) {
            for (Path x : w.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
