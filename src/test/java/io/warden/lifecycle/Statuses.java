package io.warden.lifecycle;

import io.warden.s6.SupervisorStatus;

import java.time.Instant;

/** SupervisorStatus values as s6 writes them, for the lifecycle's tests. */
final class Statuses {
    static final Instant STAMP = Instant.parse("2026-11-28T10:16:24.948552958Z");

    private Statuses() {
    }

    static SupervisorStatus status(long pid, int wstat, boolean finishing, boolean wantUp) {
        return new SupervisorStatus(STAMP, "@400000006b09f7fd3889c4fe", STAMP, pid, 0, wstat, false, finishing, wantUp,
                false);
    }

    static SupervisorStatus up(long pid) {
        return status(pid, 0, false, true);
    }

    static SupervisorStatus exited(int code, boolean wantUp) {
        return status(0, code << 8, false, wantUp);
    }

    static SupervisorStatus killed(int signo, boolean wantUp) {
        return status(0, signo, false, wantUp);
    }
}
