package io.warden.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One question to the system's name service switch, asked with {@code getent(1)}: the C library's own lookup
 * (NSS: files, a directory service, whatever the system is set up with), without loading a native library into
 * the daemon. Bounded: the process is killed after {@code timeoutMillis} and its answer may hold at most
 * {@link #MAX_ANSWER} bytes. Blocks the calling thread for at most that long: never call it on the selector.
 */
final class Getent {
    /** A group line with thousands of members still fits; a larger answer is refused, not buffered. */
    static final int MAX_ANSWER = 256 * 1024;

    private final String program;
    private final long timeoutMillis;

    Getent(String program, long timeoutMillis) {
        this.program = program;
        this.timeoutMillis = timeoutMillis;
    }

    /** The entry's colon-separated fields, or null when the database has no such key (getent's exit 2). */
    String[] lookup(String database, String key) throws IOException {
        Process p = new ProcessBuilder(program, database, "--", key)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        AtomicBoolean done = new AtomicBoolean();
        AtomicBoolean killed = new AtomicBoolean();
        CompletableFuture.delayedExecutor(timeoutMillis, TimeUnit.MILLISECONDS, Runnable::run).execute(() -> {
            if (!done.get()) {
                killed.set(true);
                p.destroyForcibly();
            }
        });
        byte[] answer;
        int exit;
        try (InputStream out = p.getInputStream()) {
            answer = readBounded(out);
            // an answer over the bound is not read to its end: the process is ended rather than waited for
            if (answer == null) p.destroyForcibly();
            exit = p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while asking getent " + database + " " + key, e);
        } finally {
            done.set(true);
        }
        if (killed.get()) {
            throw new IOException("getent " + database + " " + key + " did not answer within " + timeoutMillis + " ms");
        }
        if (answer == null) {
            throw new IOException("getent " + database + " " + key + " answered more than " + MAX_ANSWER + " bytes");
        }
        if (exit == 2) return null;
        if (exit != 0) throw new IOException("getent " + database + " " + key + " failed (exit " + exit + ")");
        String text = new String(answer, StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        return (nl < 0 ? text : text.substring(0, nl)).split(":", -1);
    }

    /** The whole stream, or null when it is longer than {@link #MAX_ANSWER}. */
    private static byte[] readBounded(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(512);
        byte[] chunk = new byte[4096];
        int n;
        while ((n = in.read(chunk)) >= 0) {
            if (buf.size() + n > MAX_ANSWER) return null;
            buf.write(chunk, 0, n);
        }
        return buf.toByteArray();
    }
}
