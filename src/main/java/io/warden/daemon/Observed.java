package io.warden.daemon;

import io.warden.s6.SupervisorStatus;

/** What s6 reports of the gateway, in the words of the interface contract. */
public enum Observed {
    UP, DOWN, STARTING, STOPPING, BACKOFF, FAILED, UNKNOWN;

    /** Exit code of a gateway whose configuration is fatally wrong (EX_CONFIG); s6 does not restart it. */
    public static final int FATAL_CONFIG_EXIT = 78;

    public String wire() {
        return name().toLowerCase();
    }

    public static Observed derive(SupervisorStatus s) {
        if (s == null) return UNKNOWN;
        if (s.finishing()) return s.wantUp() ? STARTING : STOPPING;
        if (s.pid() != 0) return s.wantUp() ? UP : STOPPING;
        if (s.wantUp()) return STARTING;
        if (isFatalConfig(s)) return FAILED;
        return DOWN;
    }

    public static boolean isFatalConfig(SupervisorStatus s) {
        return s.pid() == 0 && !s.wantUp() && s.exited() && s.exitCode() == FATAL_CONFIG_EXIT;
    }
}
