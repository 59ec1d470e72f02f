package io.warden.lifecycle;

import io.warden.state.GatewayRun;

/**
 * Where one service's life stands, as warden sees it. A pending end (an unasked end waiting out the signal window)
 * is not a phase: it overlaps the next run s6 starts, so {@link Life} carries it beside the phase.
 */
public sealed interface Phase {
    /** The run warden knows up, or null. */
    default GatewayRun run() {
        return null;
    }

    /** The pid of a run warden asked s6 to end (its end is no crash), or 0. */
    default long endPid() {
        return 0;
    }

    /** No run known up, nothing asked of s6 that is still under way. */
    record Down() implements Phase {
    }

    /** A run is up. */
    record Up(GatewayRun run) implements Phase {
    }

    /**
     * warden told s6 to end the run with pid {@code endPid} (stop, remove, a dependency's stop); {@code run} is the
     * run warden knows up, null when s6 has not shown it yet or it has ended and s6 still runs its finish.
     */
    record Stopping(GatewayRun run, long endPid) implements Phase {
    }

    /**
     * A restart: {@code d} went to the run with pid {@code endPid}, and {@code u} follows once s6 shows it fully
     * down (the finish script done), since a finish exiting 125 clears s6's want-up and would undo a {@code u} sent
     * earlier. {@code run} is null once the run has ended.
     */
    record Restarting(GatewayRun run, long endPid) implements Phase {
    }

    /** The service keeps dying: s6 was told not to restart it ({@code O}); warden sends {@code u} at {@code untilNanos}. */
    record Held(long untilNanos) implements Phase {
    }

    /** warden is ending: runs are still followed, nothing is restarted, nothing held. */
    record ShuttingDown(GatewayRun run) implements Phase {
    }

    Down DOWN = new Down();
}
