package io.warden.lifecycle;

import io.warden.s6.SupervisorStatus;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;

/**
 * What a service's life remembers across phases.
 *
 * @param status       what s6 showed last (null: unknown)
 * @param lastDeath    the status at the last end of a run warden knows of, or null when no run has ended
 * @param backoff      the crash count and the current run's start
 * @param desired      the recorded intent (kept by the edge, which owns the state file)
 * @param lastShutdown the recorded last shutdown (likewise)
 * @param readable     false while the recorded intent cannot be read
 */
public record Facts(SupervisorStatus status, SupervisorStatus lastDeath, CrashBackoff backoff, IntentState desired,
                    LastShutdown lastShutdown, boolean readable) {

    Facts withStatus(SupervisorStatus s) {
        return new Facts(s, lastDeath, backoff, desired, lastShutdown, readable);
    }

    Facts withLastDeath(SupervisorStatus s) {
        return new Facts(status, s, backoff, desired, lastShutdown, readable);
    }

    Facts withBackoff(CrashBackoff b) {
        return new Facts(status, lastDeath, b, desired, lastShutdown, readable);
    }

    Facts withLastShutdown(LastShutdown ls) {
        return new Facts(status, lastDeath, backoff, desired, ls, readable);
    }

    /** Whether s6 shows a run up now. */
    public boolean running() {
        return status != null && status.up();
    }
}
