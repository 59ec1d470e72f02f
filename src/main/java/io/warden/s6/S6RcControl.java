package io.warden.s6;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * s6-rc's own program, for what only it can do: bring a service up with its dependencies in s6-rc's order and
 * keep its live state (what a container stop's {@code s6-rc -bda change} takes down, in order) true. Runs it as a
 * child process, off warden's decision loop. Stops never go through it: {@code s6-rc -d change X} also stops
 * s6-overlay's {@code legacy-services} and with it every services.d service (S6-NOTES §H), so warden stops what
 * it must itself, letter by letter.
 */
public final class S6RcControl {
    private final List<String> program;

    /** @param program the s6-rc command ({@code /command/s6-rc} under s6-overlay) and any fixed options */
    public S6RcControl(List<String> program) {
        this.program = List.copyOf(program);
    }

    /** s6-overlay's s6-rc, or the one on PATH, or null when there is none (plain s6, the offline base). */
    public static S6RcControl system() {
        Path overlay = Path.of("/command/s6-rc");
        if (Files.isExecutable(overlay)) return new S6RcControl(List.of(overlay.toString()));
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "" : path).split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "s6-rc"))) {
                return new S6RcControl(List.of(Path.of(dir, "s6-rc").toString()));
            }
        }
        return null;
    }

    /** The services s6-rc counts as up ({@code s6-rc -a list}). */
    public Set<String> active() throws IOException {
        Outcome o = run(List.of("-a", "list"), 10_000);
        if (o.exitCode() != 0) throw new IOException("s6-rc -a list exited " + o.exitCode() + ": " + o.output());
        return new TreeSet<>(o.output().lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
    }

    /** {@code s6-rc -u -t TIMEOUT change NAME}: NAME and what it depends on, up in order, waited for. */
    public Outcome up(String name, long timeoutMillis) throws IOException {
        return run(List.of("-u", "-t", Long.toString(timeoutMillis), "change", name), timeoutMillis + 5_000);
    }

    /** The exit code and what s6-rc wrote (stdout and stderr together). */
    public record Outcome(int exitCode, String output) {
    }

    private Outcome run(List<String> args, long boundMillis) throws IOException {
        List<String> cmd = new ArrayList<>(program);
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out;
        try {
            out = p.getInputStream().readNBytes(64 * 1024);
            if (!p.waitFor(boundMillis, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not end within " + boundMillis + " ms");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted running " + String.join(" ", cmd));
        }
        return new Outcome(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
    }
}
