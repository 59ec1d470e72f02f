package io.warden.bench;

import io.warden.cli.Client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What one daemon costs per service (docs/PERFORMANCE.md, "5,000 services"; never run by mvn verify): {@code N}
 * templates whose run script is one sleeping process, and one instance template {@code extra@}, a real
 * s6-svscan given room for them ({@code -c}), the daemon through the production wrapper {@code -Dbench.warden} (the
 * image's heap settings), on disk under {@code -Dbench.root}.
 *
 * <p>Usage: ScaleBench SERVICES RUNS. Prints {@code RESULT key value} lines: a restart on a volume of N services
 * until the socket answers {@code status} and then until a first control request ({@code stop} of a service
 * already down) is answered; idle RSS; {@code warden list} against {@code warden status}; {@code warden start} of
 * one more service (a new instance, until it is up).
 */
public final class ScaleBench {
    private static final Path ROOT = Path.of(System.getProperty("bench.root", "target/bench-scale")).toAbsolutePath();
    private static final String WARDEN = System.getProperty("bench.warden", "s6-rootfs/warden/usr/local/bin/warden");

    private final int services;
    private final Path state = ROOT.resolve("state");
    private final Path templates = ROOT.resolve("templates");
    private final Path socket = ROOT.resolve("warden.sock");
    private final Path scandir = ROOT.resolve("service");
    private Process svscan;
    private Process daemon;
    private int boots;

    private ScaleBench(int services) {
        this.services = services;
    }

    public static void main(String[] args) throws Exception {
        ScaleBench b = new ScaleBench(Integer.parseInt(args[0]));
        try {
            b.setUp();
            b.run(Integer.parseInt(args[1]));
        } finally {
            b.tearDown();
        }
    }

    private void setUp() throws IOException, InterruptedException {
        ProcessBench.deleteTree(ROOT);
        Files.createDirectories(scandir);
        Files.createDirectories(state);
        Files.setPosixFilePermissions(ROOT, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (int i = 1; i <= services; i++) template(String.format("svc%04d", i));
        template("extra@");
        svscan = new ProcessBuilder("s6-svscan", "-c", Integer.toString(services + 200), scandir.toString())
                .redirectErrorStream(true).redirectOutput(ROOT.resolve("svscan.log").toFile()).start();
        ProcessBench.await(Duration.ofSeconds(5), () -> Files.exists(scandir.resolve(".s6-svscan/control")));
    }

    private void template(String name) throws IOException {
        Path t = Files.createDirectories(templates.resolve(name));
        // one process per service, no loop: 5,000 of them must not be what the machine measures
        Files.writeString(t.resolve("run"), "#!/bin/sh\nexec sleep 1000000\n");
        Files.setPosixFilePermissions(t.resolve("run"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void tearDown() throws InterruptedException {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
        }
        if (svscan == null) return;
        List<ProcessHandle> kids = svscan.descendants().toList();
        svscan.destroy();
        svscan.waitFor(10, TimeUnit.SECONDS);
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
        env.put("WARDEN_MAX_SERVICES", Integer.toString(Math.max(5000, services + 100)));
        env.remove("WARDEN_TEMPLATE");
        return pb;
    }

    /** Starts the daemon; returns ns until the socket answers status, and until a control request is answered. */
    private long[] boot() throws IOException {
        long t0 = System.nanoTime();
        daemon = warden("daemon").redirectErrorStream(true)
                .redirectOutput(ROOT.resolve("warden-" + (++boots) + ".log").toFile()).start();
        long answering = 0;
        while (answering == 0) {
            if (ok("status", Map.of("service", "svc0001"))) answering = System.nanoTime() - t0;
            else pause(t0);
        }
        // a first control request: a stop of a service already down (intent recorded again, nothing to wait for)
        while (!ok("stop", Map.of("service", "svc0001", "reason", "bench"))) pause(t0);
        return new long[]{answering, System.nanoTime() - t0 - answering};
    }

    private void pause(long t0) {
        if (!daemon.isAlive()) throw new IllegalStateException("daemon exited " + daemon.exitValue() + "; see " + ROOT);
        if (System.nanoTime() - t0 > 600_000_000_000L) throw new IllegalStateException("no answer in 600 s");
        LockSupport.parkNanos(2_000_000);
    }

    private boolean ok(String op, Map<String, Object> extra) {
        if (!Files.exists(socket)) return false;
        try {
            return Boolean.TRUE.equals(new Client(socket, 30_000).call(op, extra).get("ok"));
        } catch (IOException e) {
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    private void awaitHealthy() throws InterruptedException {
        long t0 = System.nanoTime();
        while (true) {
            try {
                Map<String, Object> m = new Client(socket, 30_000).call("check", Map.of());
                if (Boolean.TRUE.equals(((Map<String, Object>) m.get("result")).get("healthy"))) return;
            } catch (IOException | RuntimeException e) {
                // not answering yet
            }
            if (!daemon.isAlive()) throw new IllegalStateException("daemon exited " + daemon.exitValue() + "; see " + ROOT);
            if (System.nanoTime() - t0 > 600_000_000_000L) throw new IllegalStateException("not healthy in 600 s");
            Thread.sleep(200);
        }
    }

    private void stop() throws InterruptedException {
        daemon.destroy();
        if (!daemon.waitFor(60, TimeUnit.SECONDS)) throw new IllegalStateException("daemon ignored SIGTERM");
    }

    private void run(int runs) throws Exception {
        long f0 = System.nanoTime();
        boot(); // first boot: installs every directory, writes every state file
        awaitHealthy();
        System.out.printf("RESULT scale%d_first_boot_healthy_ms %.0f%n", services, (System.nanoTime() - f0) / 1e6);
        stop();
        long[] answering = new long[runs];
        long[] control = new long[runs];
        for (int i = 0; i < runs; i++) {
            long[] b = boot();
            answering[i] = b[0];
            control[i] = b[1];
            awaitHealthy();
            stop();
        }
        String k = "scale" + services;
        ProcessBench.report(k + "_restart_socket_ms", answering, 1e6);
        ProcessBench.report(k + "_restart_first_control_ms", control, 1e6);

        boot();
        awaitHealthy();
        Thread.sleep(10_000);
        System.out.printf("RESULT %s_idle_rss_mib %.1f%n", k, ProcessBench.vmRssKb(daemon.pid()) / 1024.0);

        long[] list = new long[runs];
        long[] status = new long[runs];
        cli("list");
        cli("status", "svc0001");
        for (int i = 0; i < runs; i++) {
            list[i] = cli("list");
            status[i] = cli("status", "svc0001");
        }
        ProcessBench.report(k + "_list_ms", list, 1e6);
        ProcessBench.report(k + "_status_ms", status, 1e6);
        System.out.printf("RESULT %s_list_over_status %.2f%n", k, median(list) / median(status));

        long[] start = new long[runs];
        for (int i = 0; i < runs; i++) start[i] = cli("start", "extra@" + i, "--timeout", "60");
        ProcessBench.report(k + "_start_one_more_ms", start, 1e6);
        System.out.printf("RESULT %s_rss_after_mib %.1f%n", k, ProcessBench.vmRssKb(daemon.pid()) / 1024.0);
        stop();
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }

    private long cli(String... args) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        ProcessBuilder pb = warden(args);
        // the command line holds the whole list answer before it prints: 4.4 MB at 5,000 services, past its 32 MiB
        if (args[0].equals("list")) pb.environment().put("WARDEN_JAVA_OPTS", "-Xmx256m");
        Process c = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!c.waitFor(120, TimeUnit.SECONDS)) throw new IllegalStateException("warden " + args[0] + " hung");
        // status of the service the control request stopped: 3, not up
        if (c.exitValue() != 0 && !(args[0].equals("status") && c.exitValue() == 3)) throw new IllegalStateException("warden " + String.join(" ", args) + " exited " + c.exitValue());
        return System.nanoTime() - t0;
    }
}
