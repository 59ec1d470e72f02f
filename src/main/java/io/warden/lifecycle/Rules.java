package io.warden.lifecycle;

/**
 * The settings of the rules at a service's edges.
 *
 * @param signalWindowNanos how long an unasked end waits for warden's own signal before it is a crash
 * @param freeRestarts      deaths in a row left to s6 (which spaces restarts 1 s apart) before warden holds any
 * @param backoffInitialMillis the first hold
 * @param backoffCapMillis  the longest hold
 * @param backoffResetMillis a run this long proves the service healthy again and clears the count
 */
public record Rules(long signalWindowNanos, int freeRestarts, long backoffInitialMillis, long backoffCapMillis,
                   long backoffResetMillis) {

    /** The rules as warden runs them: two free restarts, holds from 1 s doubling up to {@code capMillis}, reset after 30 s. */
    public static Rules of(long signalWindowNanos, long capMillis) {
        return new Rules(signalWindowNanos, 2, 1000, capMillis, 30_000);
    }
}
