package io.warden.daemon;

/**
 * Restart back-off for a gateway that keeps dying, the way Docker and Kubernetes do it: the first
 * {@code freeRestarts} deaths are left to s6 (which already spaces restarts at least 1 s apart), then each
 * further death waits twice as long as the one before, from {@code initialMillis} up to {@code capMillis}.
 * A run that stayed up for {@code resetAfterMillis} proves the gateway healthy again and clears the count.
 * How long a run lasted is measured on the monotonic clock from when warden saw it start, never from s6's
 * wall-clock stamps, so a clock step can neither clear the count nor pin it.
 */
public final class CrashBackoff {
    private final TimeSource time;
    private final int freeRestarts;
    private final long initialMillis;
    private final long capMillis;
    private final long resetAfterMillis;
    private int consecutive;
    /** When the current run started (monotonic), or null when none is known. */
    private Long runStartNanos;

    public CrashBackoff(TimeSource time, int freeRestarts, long initialMillis, long capMillis, long resetAfterMillis) {
        this.time = time;
        this.freeRestarts = freeRestarts;
        this.initialMillis = initialMillis;
        this.capMillis = capMillis;
        this.resetAfterMillis = resetAfterMillis;
    }

    /** A run began now. */
    public void runStarted() {
        runStartNanos = time.nanos();
    }

    /**
     * A run found already up at boot, started {@code upMillis} ago by s6's account: the one place a wall-clock
     * difference is used, once, and clamped so a clock set backwards cannot make it negative.
     */
    public void runAdopted(long upMillis) {
        runStartNanos = time.nanos() - Math.max(0, upMillis) * 1_000_000L;
    }

    /** Records the death of the current run; returns how long to hold the restart (0: restart now). */
    public long onDeath() {
        long upMillis = runStartNanos == null ? 0 : (time.nanos() - runStartNanos) / 1_000_000L;
        runStartNanos = null;
        if (upMillis >= resetAfterMillis) consecutive = 0;
        consecutive++;
        if (consecutive <= freeRestarts) return 0;
        int doublings = Math.min(consecutive - freeRestarts - 1, 30);
        return Math.min(capMillis, initialMillis << doublings);
    }

    /** An explicit start or restart wipes the slate. */
    public void reset() {
        consecutive = 0;
    }

    public int consecutiveDeaths() {
        return consecutive;
    }
}
