package io.warden.daemon;

/**
 * Restart back-off for a gateway that keeps dying, the way Docker and Kubernetes do it: the first
 * {@code freeRestarts} deaths are left to s6 (which already spaces restarts at least 1 s apart), then each
 * further death waits twice as long as the one before, from {@code initialMillis} up to {@code capMillis}.
 * A run that stayed up for {@code resetAfterMillis} proves the gateway healthy again and clears the count.
 */
public final class CrashBackoff {
    private final int freeRestarts;
    private final long initialMillis;
    private final long capMillis;
    private final long resetAfterMillis;
    private int consecutive;

    public CrashBackoff(int freeRestarts, long initialMillis, long capMillis, long resetAfterMillis) {
        this.freeRestarts = freeRestarts;
        this.initialMillis = initialMillis;
        this.capMillis = capMillis;
        this.resetAfterMillis = resetAfterMillis;
    }

    /** Records a death after a run of {@code upMillis}; returns how long to hold the restart (0: restart now). */
    public long onDeath(long upMillis) {
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
