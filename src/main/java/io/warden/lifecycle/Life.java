package io.warden.lifecycle;

import io.warden.s6.SupervisorStatus;
import io.warden.state.GatewayRun;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;

/**
 * One service's whole life at a moment: its phase, an end waiting out the signal window (or null), and what it
 * remembers. A value: {@link Lifecycle#step} returns the next one.
 */
public record Life(Phase phase, PendingEnd pending, Facts facts) {

    /** A service warden has not seen run yet, its intent {@code desired}. */
    public static Life first(IntentState desired) {
        return new Life(Phase.DOWN, null, new Facts(null, null, CrashBackoff.FRESH, desired, null, true));
    }

    /** The recorded intent and last shutdown, as the edge's state file holds them now. */
    public Life withRecord(IntentState desired, LastShutdown lastShutdown, boolean readable) {
        Facts f = facts;
        return new Life(phase, pending, new Facts(f.status(), f.lastDeath(), f.backoff(), desired, lastShutdown, readable));
    }

    public Life withPhase(Phase p) {
        return new Life(p, pending, facts);
    }

    /** Whether warden holds the service's restart (the back-off). */
    public boolean held() {
        return phase instanceof Phase.Held;
    }

    /** The cause of the pending end as it stands (decided when the window passes), or null when none is pending. */
    public LastShutdown provisionalCause() {
        if (pending == null) return null;
        // warden's own hold clears s6's want-up; judge by the status at the death, not by the hold
        return pending.classify(held() ? pending.endStatus() : facts.status());
    }

    /** Nanoseconds until a {@link Input.Tick} has work, or {@code Long.MAX_VALUE} when nothing waits. */
    public long nanosToDeadline(long nowNanos) {
        long d = Long.MAX_VALUE;
        if (pending != null) d = pending.remainingNanos(nowNanos);
        if (phase instanceof Phase.Held h) d = Math.min(d, h.untilNanos() - nowNanos);
        return d;
    }

    /** The run s6 shows up in {@code s}, or null. */
    public static GatewayRun runOf(SupervisorStatus s) {
        return s != null && s.up() ? new GatewayRun(s.pid(), s.stampLabel()) : null;
    }
}
