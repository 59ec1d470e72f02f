package io.warden.bench;

import io.warden.cli.Client;
import io.warden.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon keeping many services (bench/run.sh; never run by mvn verify): {@code N} templates in a templates
 * folder, a real s6-svscan, the daemon through the production wrapper {@code -Dbench.warden} (WARDEN_JAVA,
 * WARDEN_JAR, WARDEN_JSA from the environment), on disk under {@code -Dbench.root}.
 *
 * <p>Usage: ServicesBench SERVICES RUNS CPU_SECONDS CLI_RUNS. Prints {@code RESULT key value} lines: start-up to
 * the first answered status with every service up, idle RSS and CPU, {@code warden list} against
 * {@code warden status}, and SIGTERM to every cause durable.
 *
 * <p>{@code ServicesBench stop SERVICES RUNS}: only SIGTERM to every cause durable, and beside it, measured in the
 * same run on the same file system, {@value #BASELINE_PER_STOP} plain durable writes (temporary file, fsync,
 * rename, directory fsync of a service file's size) after each stop: the p99 of both and their ratio.
 */
public final class ServicesBench {
    private static final Path ROOT = Path.of(System.getProperty("bench.root", "target/bench-services")).toAbsolutePath();
    private static final String WARDEN = System.getProperty("bench.warden", "s6-rootfs/warden/usr/local/bin/warden");
    private static final Pattern DURABLE = Pattern.compile("durable in ([0-9.]+) ms");
    private static final int BASELINE_PER_STOP = 10;

    private final int services;
    private final Path state = ROOT.resolve("state");
    private final Path templates = ROOT.resolve("templates");
    private final Path socket = ROOT.resolve("warden.sock");
    private final Path scandir = ROOT.resolve("service");
    private Process svscan;
    private int daemons;

    private ServicesBench(int services) {
        this.services = services;
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("stop")) {
            ServicesBench b = new ServicesBench(Integer.parseInt(args[1]));
            try {
                b.setUp();
                b.stops(Integer.parseInt(args[2]));
            } finally {
                b.tearDown();
            }
            return;
        }
        ServicesBench b = new ServicesBench(Integer.parseInt(args[0]));
        int runs = Integer.parseInt(args[1]);
        int cpuSeconds = Integer.parseInt(args[2]);
        int cliRuns = Integer.parseInt(args[3]);
        try {
            b.setUp();
            b.run(runs, cpuSeconds, cliRuns);
        } finally {
            b.tearDown();
        }
    }

    private void setUp() throws IOException, InterruptedException {
        // a previous run's stop witness may still be appending its last lines to the state directory
        for (int i = 0; ; i++) {
            try {
                ProcessBench.deleteTree(ROOT);
                break;
            } catch (java.nio.file.DirectoryNotEmptyException e) {
                if (i == 20) throw e;
                Thread.sleep(250);
            }
        }
        Files.createDirectories(scandir);
        Files.createDirectories(state);
        Files.setPosixFilePermissions(ROOT, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (int i = 1; i <= services; i++) {
            Path t = Files.createDirectories(templates.resolve(String.format("svc%03d", i)));
            copy("it/gateway-run", t.resolve("run"));
            copy("it/gateway-finish", t.resolve("finish"));
        }
        // s6-svscan holds 500 services unless told more (-c): warden's own slot is not in this scandir
        svscan = new ProcessBuilder("s6-svscan", "-c", Integer.toString(Math.max(500, services + 50)), scandir.toString()).redirectErrorStream(true)
                .redirectOutput(ROOT.resolve("svscan.log").toFile()).start();
        ProcessBench.await(Duration.ofSeconds(5), () -> Files.exists(scandir.resolve(".s6-svscan/control")));
    }

    private static void copy(String resource, Path to) throws IOException {
        try (InputStream in = ServicesBench.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IOException("missing test resource " + resource);
            Files.copy(in, to);
        }
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void tearDown() throws InterruptedException {
        if (svscan == null) return;
        List<ProcessHandle> kids = svscan.descendants().toList();
        svscan.destroy();
        svscan.waitFor(5, TimeUnit.SECONDS);
        for (ProcessHandle h : kids) h.destroyForcibly();
    }

    private ProcessBuilder warden(String... args) {
        ProcessBuilder pb = new ProcessBuilder(WARDEN);
        pb.command().addAll(List.of(args));
        Map<String, String> env = pb.environment();
        env.put("WARDEN_STATE_DIR", state.toString());
        env.put("WARDEN_SOCKET", socket.toString());
        env.put("WARDEN_SCANDIR", scandir.toString());
        env.put("WARDEN_TEMPLATES", templates.toString());
        env.remove("WARDEN_TEMPLATE");
        return pb;
    }

    private Path log(int n) {
        return ROOT.resolve("warden-" + n + ".log");
    }

    /** Spawns the daemon; returns nanoseconds until {@code check} (every service) first answers healthy. */
    private long start(Process[] out) throws IOException {
        long t0 = System.nanoTime();
        Process p = warden("daemon").redirectErrorStream(true).redirectOutput(log(++daemons).toFile()).start();
        out[0] = p;
        while (true) {
            if (healthy()) return System.nanoTime() - t0;
            if (!p.isAlive()) throw new IllegalStateException("daemon exited " + p.exitValue() + "; see " + ROOT);
            if (System.nanoTime() - t0 > 60_000_000_000L) throw new IllegalStateException("not healthy in 60 s");
            LockSupport.parkNanos(500_000);
        }
    }

    @SuppressWarnings("unchecked")
    private boolean healthy() {
        if (!Files.exists(socket)) return false;
        try {
            Map<String, Object> m = new Client(socket, 2000).call("check", Map.of());
            return Boolean.TRUE.equals(m.get("ok"))
                    && Boolean.TRUE.equals(((Map<String, Object>) m.get("result")).get("healthy"));
        } catch (IOException e) {
            return false;
        }
    }

    private void run(int runs, int cpuSeconds, int cliRuns) throws Exception {
        Process[] p = new Process[1];
        start(p); // first boot: installs every directory, writes every state file
        stopAndRead(p[0], daemons);
        long[] ready = new long[runs];
        long[] handled = new long[runs];
        long[] durable = new long[runs];
        long[] total = new long[runs];
        for (int i = 0; i < runs; i++) {
            ready[i] = start(p);
            Thread.sleep(500);
            Instant sent = Instant.now();
            long[] d = stopAndRead(p[0], daemons);
            handled[i] = d[0] - sent.toEpochMilli() * 1_000_000L;
            durable[i] = d[1];
            total[i] = handled[i] + durable[i];
        }
        ProcessBench.report("services_ready_ms", ready, 1e6);
        ProcessBench.report("services_sigterm_handled_ms", handled, 1e6);
        ProcessBench.report("services_sigterm_write_ms", durable, 1e6);
        ProcessBench.report("services_sigterm_durable_ms", total, 1e6);

        start(p);
        long pid = p[0].pid();
        Thread.sleep(10_000);
        long rss = ProcessBench.vmRssKb(pid);
        long n0 = ProcessBench.cpuNanos(pid);
        long t0 = System.nanoTime();
        Thread.sleep(cpuSeconds * 1000L);
        double cpuPct = (ProcessBench.cpuNanos(pid) - n0) / 1e9 / ((System.nanoTime() - t0) / 1e9) * 100;
        System.out.printf("RESULT services_rss_mib %.1f%nRESULT services_idle_cpu_pct %.3f%n", rss / 1024.0, cpuPct);

        long[] list = new long[cliRuns];
        long[] status = new long[cliRuns];
        cli("list");
        cli("status", "svc001");
        for (int i = 0; i < cliRuns; i++) {
            list[i] = cli("list");
            status[i] = cli("status", "svc001");
        }
        ProcessBench.report("services_list_ms", list, 1e6);
        ProcessBench.report("services_status_ms", status, 1e6);
        stopAndRead(p[0], daemons);
    }

    /** SIGTERM → every cause durable, {@code runs} times, each followed by the plain durable writes of the baseline. */
    private void stops(int runs) throws Exception {
        Process[] p = new Process[1];
        start(p); // first boot: installs every directory, writes every state file
        stopAndRead(p[0], daemons);
        long[] durable = new long[runs];
        long[] commit = new long[runs];
        long[] baseline = new long[runs * BASELINE_PER_STOP];
        Path other = Files.createDirectories(ROOT.resolve("baseline"));
        String content = Files.readString(state.resolve("svc001.json"));
        for (int i = 0; i < runs; i++) {
            start(p);
            Thread.sleep(500);
            Instant sent = Instant.now();
            long[] d = stopAndRead(p[0], daemons);
            commit[i] = d[1];
            durable[i] = d[0] - sent.getEpochSecond() * 1_000_000_000L - sent.getNano() + d[1];
            for (int k = 0; k < BASELINE_PER_STOP; k++) {
                long t0 = System.nanoTime();
                new io.warden.state.DurableFile(other.resolve("svc.json")).write(content);
                baseline[i * BASELINE_PER_STOP + k] = System.nanoTime() - t0;
            }
        }
        String key = "stop" + services;
        ProcessBench.report(key + "_sigterm_durable_ms", durable, 1e6);
        ProcessBench.report(key + "_commit_ms", commit, 1e6);
        ProcessBench.report(key + "_fsync_rename_ms", baseline, 1e6);
        System.out.printf("RESULT %s_ratio_p99 %.2f%n", key, pct(durable, 0.99) / pct(baseline, 0.99));
    }

    private static double pct(long[] v, double q) {
        long[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(q * s.length) - 1)];
    }

    private long cli(String... args) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process c = warden(args).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!c.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException("warden " + args[0] + " hung");
        if (c.exitValue() != 0) throw new IllegalStateException("warden " + String.join(" ", args) + " exited " + c.exitValue());
        return System.nanoTime() - t0;
    }

    /**
     * SIGTERM, wait for the exit; returns the warden-stop record's time (ns since the epoch: when the signal was
     * handled) and the write time the daemon logged (every cause, the run record, the journal durable).
     */
    @SuppressWarnings("unchecked")
    private long[] stopAndRead(Process p, int n) throws Exception {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException("daemon ignored SIGTERM");
        Matcher m = DURABLE.matcher(Files.readString(log(n)));
        double ms = -1;
        while (m.find()) ms = Double.parseDouble(m.group(1));
        if (ms < 0) throw new IllegalStateException("no 'durable in' line in " + log(n));
        // a rotation renames journal.jsonl to journal.1.jsonl: the newest record is in whichever holds it
        List<String> lines = new java.util.ArrayList<>();
        for (String f : List.of("journal.1.jsonl", "journal.jsonl")) {
            if (Files.exists(state.resolve(f))) lines.addAll(Files.readAllLines(state.resolve(f)));
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            Map<String, Object> r = Json.parseObject(lines.get(i));
            if (!"warden-stop".equals(r.get("event"))) continue;
            Map<String, Object> causes = (Map<String, Object>) r.get("causes");
            if (causes.size() != services) throw new IllegalStateException("causes for " + causes.size() + " services");
            // the signal's time (when warden took it) is the default cause's endedAt; at is when it was recorded
            Instant at = Instant.parse((String) r.getOrDefault("endedAt", r.get("at")));
            return new long[]{at.getEpochSecond() * 1_000_000_000L + at.getNano(), Math.round(ms * 1_000_000)};
        }
        throw new IllegalStateException("no warden-stop record");
    }
}
