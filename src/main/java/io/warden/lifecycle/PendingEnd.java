package io.warden.lifecycle;

import io.warden.s6.Signals;
import io.warden.s6.SupervisorStatus;
import io.warden.state.LastShutdown;
import io.warden.state.ShutdownCause;

import java.time.Instant;

/**
 * A run's end that warden did not ask for, waiting out the signal window: in a container stop the supervisor may
 * take the service down a moment before warden's own SIGTERM arrives, and then the end is {@code signal}. If no
 * signal comes within the window it is {@code crash}, or {@code external} when s6's want-up was cleared behind
 * warden's back ({@code s6-svc -d}) and the exit was not a fatal-configuration failure.
 */
public record PendingEnd(SupervisorStatus endStatus, long endedPid, Instant at, long startNanos, long deadlineNanos) {

    /** Exit code of a service whose configuration is fatally wrong (EX_CONFIG); s6 does not restart it. */
    public static final int FATAL_CONFIG_EXIT = 78;

    /** An end seen {@code now}, decided when {@code windowNanos} have passed on the monotonic clock. */
    public static PendingEnd open(SupervisorStatus endStatus, long endedPid, Now now, long windowNanos) {
        return new PendingEnd(endStatus, endedPid, now.wall(), now.nanos(), now.nanos() + windowNanos);
    }

    /** Whether the window is over; overflow-safe, like any comparison of {@link System#nanoTime()} values. */
    public boolean due(long nowNanos) {
        return nowNanos - deadlineNanos >= 0;
    }

    public long remainingNanos(long nowNanos) {
        return Math.max(0, deadlineNanos - nowNanos);
    }

    /** warden's own signal arrived within the window: the end was the container (or supervisor) going down. */
    public LastShutdown asSignal(String signal, long nowNanos) {
        long ms = Math.max(0, (nowNanos - startNanos) / 1_000_000L);
        return new LastShutdown(ShutdownCause.SIGNAL, signal, at, null,
                "pid " + endedPid + " went down " + ms + " ms before warden received " + signal);
    }

    /** Classifies with the freshest status: want-up is cleared only by {@code s6-svc -d} or a permanent failure. */
    public LastShutdown classify(SupervisorStatus latest) {
        SupervisorStatus s = latest != null ? latest : endStatus;
        boolean wantUpCleared = s != null && !s.wantUp() && s.pid() == 0;
        boolean fatal = s != null && isFatalConfig(s);
        Integer exitCode = null;
        String signal = null;
        // s6 sets the wait status at the death, keeps it through finish and while a restarted run is up
        SupervisorStatus death = endStatus != null && !endStatus.up() ? endStatus : s;
        if (death != null) {
            if (death.exited()) exitCode = death.exitCode();
            else signal = Signals.name(death.termSignal());
        }
        if (wantUpCleared && !fatal) {
            return new LastShutdown(ShutdownCause.EXTERNAL, signal, at, exitCode,
                    "stopped behind warden's back (s6 want-up cleared, pid " + endedPid + ")");
        }
        String how = exitCode != null ? "exited with code " + exitCode : signal != null ? "killed by " + signal : "ended";
        return new LastShutdown(ShutdownCause.CRASH, signal, at, exitCode,
                "pid " + endedPid + " " + how + (fatal ? " (fatal configuration: not restarted)" : ""));
    }

    /** s6 shows the service down for good after a fatal-configuration exit: want-up cleared by its finish. */
    public static boolean isFatalConfig(SupervisorStatus s) {
        return s.pid() == 0 && !s.wantUp() && s.exited() && s.exitCode() == FATAL_CONFIG_EXIT;
    }
}
