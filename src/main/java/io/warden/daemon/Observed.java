package io.warden.daemon;

import io.warden.lifecycle.PendingEnd;
import io.warden.s6.SupervisorStatus;
import io.warden.state.IntentState;

/** What s6 reports of the gateway, in the words of the interface contract. */
enum Observed {
    UP, DOWN, STARTING, STOPPING, BACKOFF, FAILED, UNKNOWN;

    /** Exit code of a gateway whose configuration is fatally wrong (EX_CONFIG); s6 does not restart it. */
    public static final int FATAL_CONFIG_EXIT = PendingEnd.FATAL_CONFIG_EXIT;

    public String wire() {
        return name().toLowerCase();
    }

    /** The state as if warden wanted the gateway up: what the socket-free parts of warden see. */
    public static Observed derive(SupervisorStatus s) {
        return derive(s, IntentState.UP);
    }

    /**
     * s6's own definition of up (a process runs and it is not the finish script) holds, except that a run s6 no
     * longer wants while the intent is down is on its way down: {@code stopping}. A run that is merely not wanted
     * up while the intent is up ({@code s6-svc -o}, or a stop behind warden's back not yet done) is still up.
     */
    public static Observed derive(SupervisorStatus s, IntentState desired) {
        if (s == null) return UNKNOWN;
        if (s.finishing()) return s.wantUp() ? STARTING : STOPPING;
        if (s.pid() != 0) return !s.wantUp() && desired == IntentState.DOWN ? STOPPING : UP;
        if (s.wantUp()) return STARTING;
        if (isFatalConfig(s)) return FAILED;
        return DOWN;
    }

    public static boolean isFatalConfig(SupervisorStatus s) {
        return PendingEnd.isFatalConfig(s);
    }
}
