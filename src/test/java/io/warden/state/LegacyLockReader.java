package io.warden.state;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The attack on a world-readable lock file: user {@code nobody} opens it read-only and holds an fcntl read lock
 * (what any local user could do to the 0644 lock file of older wardens). Perl, because it is on every test host
 * and makes the fcntl call directly.
 */
public final class LegacyLockReader {
    private static final String SCRIPT = "use Fcntl; open(my $f, '<', $ARGV[0]) or die \"open: $!\\n\";"
            + " my $l = pack('s s x4 q q i x4', F_RDLCK, 0, 0, 0, 0); fcntl($f, F_SETLK, $l) or die \"lock: $!\\n\";"
            + " $| = 1; print \"locked\\n\"; sleep 600;";

    private LegacyLockReader() {
    }

    /** Starts the reader as {@code nobody} and returns once it holds its shared lock. */
    public static Process start(Path file) throws IOException {
        Process p = new ProcessBuilder("runuser", "-u", "nobody", "--", "perl", "-e", SCRIPT, file.toString())
                .redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        String line = r.readLine(); // the script prints one line at once, or dies with one
        if (!"locked".equals(line)) {
            p.destroyForcibly();
            throw new IOException("nobody could not lock " + file + ": " + line);
        }
        return p;
    }
}
