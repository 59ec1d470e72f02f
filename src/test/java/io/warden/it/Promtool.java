package io.warden.it;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds Prometheus's {@code promtool} (Debian's package {@code prometheus}, installed by {@code .ci/run}): the
 * {@code PROMTOOL} environment variable, else the PATH. A machine without it fails the test, saying how to get it.
 */
public final class Promtool {
    private Promtool() {
    }

    public static String path() {
        String env = System.getenv("PROMTOOL");
        if (env != null && !env.isEmpty()) return env;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, "promtool");
            if (Files.isExecutable(p)) return p.toString();
        }
        throw new AssertionError("promtool not found on PATH (nor PROMTOOL): install Debian's package 'prometheus'"
                + " (apt-get install prometheus), as .ci/run does");
    }
}
