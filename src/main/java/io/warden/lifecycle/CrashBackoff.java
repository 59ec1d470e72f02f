package io.warden.lifecycle;

/**
 * Restart back-off for a service that keeps dying, the way Docker and Kubernetes do it: the first
 * {@link Rules#freeRestarts} deaths are left to s6 (which already spaces restarts at least 1 s apart), then each
 * further death waits twice as long as the one before, from the initial hold up to the cap. A run that stayed up
 * for {@link Rules#backoffResetMillis} proves the service healthy again and clears the count. How long a run lasted
 * is measured on the monotonic clock from when warden saw it start, never from s6's wall-clock stamps, so a clock
 * step can neither clear the count nor pin it. A value: each change returns a new one.
 *
 * @param consecutive   deaths in a row
 * @param runKnown      whether the start of the current run is known
 * @param runStartNanos when the current run started (monotonic), meaningful when {@code runKnown}
 */
record CrashBackoff(int consecutive, boolean runKnown, long runStartNanos) {
    public static final CrashBackoff FRESH = new CrashBackoff(0, false, 0);

    /** A death, and how long to hold the restart it would get (0: restart now). */
    public record Death(CrashBackoff next, long holdMillis) {
    }

    /** A run began at {@code nowNanos}. */
    public CrashBackoff runStarted(long nowNanos) {
        return new CrashBackoff(consecutive, true, nowNanos);
    }

    /**
     * A run found already up at boot, started {@code upMillis} ago by s6's account: the one place a wall-clock
     * difference is used, once, and clamped so a clock set backwards cannot make it negative.
     */
    public CrashBackoff runAdopted(long nowNanos, long upMillis) {
        return new CrashBackoff(consecutive, true, nowNanos - Math.max(0, upMillis) * 1_000_000L);
    }

    /** The death of the current run at {@code nowNanos}. */
    public Death onDeath(long nowNanos, Rules rules) {
        long upMillis = runKnown ? (nowNanos - runStartNanos) / 1_000_000L : 0;
        int count = (upMillis >= rules.backoffResetMillis() ? 0 : consecutive) + 1;
        CrashBackoff next = new CrashBackoff(count, false, 0);
        if (count <= rules.freeRestarts()) return new Death(next, 0);
        int doublings = Math.min(count - rules.freeRestarts() - 1, 30);
        return new Death(next, Math.min(rules.backoffCapMillis(), rules.backoffInitialMillis() << doublings));
    }

    /** An explicit start or restart wipes the slate. */
    public CrashBackoff reset() {
        return new CrashBackoff(0, runKnown, runStartNanos);
    }
}
