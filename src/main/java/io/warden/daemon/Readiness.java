package io.warden.daemon;

import java.io.FileOutputStream;
import java.io.IOException;

/**
 * s6's readiness notification: one newline on the descriptor named in the service's {@code notification-fd},
 * written once the socket answers and the intent is applied. Reached through /proc/self/fd because the JDK
 * has no handle on an inherited descriptor number.
 */
final class Readiness {
    private Readiness() {
    }

    public static void notify(Integer fd) throws IOException {
        if (fd == null) return;
        try (FileOutputStream out = new FileOutputStream("/proc/self/fd/" + fd)) {
            out.write('\n');
        }
    }
}
