package io.warden.cli;

/**
 * The one point in time a command must end by: {@code --timeout} bounds the whole command (connect, send, the
 * answer, the wait for s6), so every step takes what is left of the same deadline rather than a budget of its own.
 */
final class Deadline {
    private final double seconds;
    private final long endNanos;

    private Deadline(double seconds) {
        this.seconds = seconds;
        this.endNanos = System.nanoTime() + (long) (seconds * 1e9);
    }

    static Deadline in(double seconds) {
        return new Deadline(seconds);
    }

    /** The timeout this deadline was made from, for messages ("within 5 s"). */
    String seconds() {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }

    long remainingMillis() {
        return Math.max(0, (endNanos - System.nanoTime() + 999_999) / 1_000_000);
    }

    /** The end, as System.nanoTime. */
    long endNanos() {
        return endNanos;
    }

    /** Halfway from now to the end, as System.nanoTime. */
    long halfwayNanos() {
        long now = System.nanoTime();
        return now + Math.max(0, endNanos - now) / 2;
    }

    boolean passed() {
        return endNanos - System.nanoTime() <= 0;
    }
}
