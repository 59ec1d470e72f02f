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

    /**
     * Runs s6-rc within {@code boundMillis}: its output is read on a thread of its own, so a program that hangs
     * with its output open is still ended at the bound and never holds the caller longer. What it wrote by then
     * (up to {@value #OUTPUT_MAX} bytes) is kept.
     */
    private Outcome run(List<String> args, long boundMillis) throws IOException {
        List<String> cmd = new ArrayList<>(program);
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        Output out = new Output(p.getInputStream());
        Thread reader = new Thread(out, "warden-s6-rc-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!p.waitFor(boundMillis, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.getInputStream().close();
                throw new IOException(String.join(" ", cmd) + " did not end within " + boundMillis + " ms");
            }
            // a child s6-rc left behind may still hold the pipe open: what was written until now is enough
            reader.join(OUTPUT_GRACE_MILLIS);
            if (reader.isAlive()) p.getInputStream().close();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            p.getInputStream().close();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted running " + String.join(" ", cmd));
        }
        return new Outcome(p.exitValue(), out.text());
    }

    private static final int OUTPUT_MAX = 64 * 1024;
    /** How long the output may still be read after s6-rc exited. */
    private static final long OUTPUT_GRACE_MILLIS = 1_000;

    /** What the program wrote, read as it comes, up to {@link #OUTPUT_MAX} bytes. */
    private static final class Output implements Runnable {
        private final java.io.InputStream in;
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        Output(java.io.InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (bytes) {
                        if (bytes.size() < OUTPUT_MAX) bytes.write(buf, 0, Math.min(n, OUTPUT_MAX - bytes.size()));
                    }
                }
            } catch (IOException e) {
                // the stream was closed at the bound (or the program's end): the output is what came before it
                synchronized (bytes) {
                    if (bytes.size() == 0) bytes.writeBytes(("(output not read: " + e.getMessage() + ")").getBytes(StandardCharsets.UTF_8));
                }
            }
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8).strip();
            }
        }
    }
}
