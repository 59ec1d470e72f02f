package io.warden.daemon;

import java.time.Instant;

/**
 * Time for the decision code, injected so tests can step it. Durations (the signal window, the restart back-off,
 * its reset) are measured with {@link #nanos()}, which an NTP step or a manual {@code date -s} never moves;
 * {@link #now()} only stamps records a person reads.
 */
public interface TimeSource {
    /** Monotonic nanoseconds from an arbitrary origin: only differences mean anything. */
    long nanos();

    /** Wall-clock time, for records and status. */
    Instant now();

    /** The JVM's clocks: {@link System#nanoTime()} (CLOCK_MONOTONIC) and the system's wall clock. */
    static TimeSource system() {
        return new TimeSource() {
            @Override
            public long nanos() {
                return System.nanoTime();
            }

            @Override
            public Instant now() {
                return Instant.now();
            }
        };
    }
}
