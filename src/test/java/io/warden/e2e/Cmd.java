package io.warden.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Runs a host command (docker, docker compose, the build script) with a hard time limit; never inherits stdin. */
final class Cmd {
    /** The outcome of one command. */
    record Result(List<String> command, int exit, String out, String err, long millis) {
        boolean ok() {
            return exit == 0;
        }

        /** Fails with the whole output when the command did not exit 0. */
        Result orThrow() {
            if (exit != 0) throw new AssertionError("command failed: " + this);
            return this;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " -> exit " + exit + " in " + millis + " ms"
                    + (out.isBlank() ? "" : "\n--- stdout ---\n" + out.strip())
                    + (err.isBlank() ? "" : "\n--- stderr ---\n" + err.strip());
        }
    }

    /** Own daemon threads: the common pool has one thread on a 2-core machine, and both pipes must drain at once. */
    private static final ExecutorService DRAINERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "e2e-drain");
        t.setDaemon(true);
        return t;
    });

    private Cmd() {
    }

    static Result run(Path dir, Duration timeout, List<String> command) {
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (dir != null) pb.directory(dir.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()), DRAINERS);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()), DRAINERS);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", command)
                        + "\n--- stdout ---\n" + out.getNow("") + "\n--- stderr ---\n" + err.getNow(""));
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            return new Result(List.copyOf(command), p.exitValue(), out.join(), err.join(), ms);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + command, e);
        }
    }

    static Result run(Path dir, Duration timeout, String... command) {
        return run(dir, timeout, List.of(command));
    }

    static Result docker(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("docker");
        cmd.addAll(List.of(args));
        return run(null, timeout, cmd);
    }

    private static String drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            return buf.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<" + e + ">";
        }
    }
}
