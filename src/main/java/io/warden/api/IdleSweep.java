package io.warden.api;

/**
 * What the idle timeout does to a connection that has been quiet for the whole idle time. A watcher waits for
 * events as long as it likes; once its stream has ended it is timed out as any other, its quiet time counted from
 * that end (a watcher that read nothing for a while, which is why it was dropped, still gets the whole idle time
 * to read what it holds and the line saying why). Decided on values, so the rule is tested without sockets.
 */
final class IdleSweep {
    /** How often the selector thread sweeps while it serves connections. */
    static final long PERIOD_NANOS = 250_000_000L;

    enum Action {
        KEEP,
        /** Answered already, or its answer lies unread: nothing more to say to it. */
        CLOSE,
        /** No complete request within the idle time: answered {@code timeout}, then closed. */
        TIME_OUT
    }

    private final long idleNanos;

    IdleSweep(long idleTimeoutMillis) {
        this.idleNanos = idleTimeoutMillis * 1_000_000L;
    }

    /**
     * @param quietNanos   time since the last byte moved (for an ended watch: since the later of that and its end)
     * @param watchOpen    a subscription whose stream has not ended
     * @param hasOutput    bytes of an answer (or of a stream) wait for the client
     * @param workPending  the daemon or a worker is still producing its answer
     */
    Action judge(ConnectionPhase phase, long quietNanos, boolean watchOpen, boolean hasOutput, boolean workPending) {
        if (watchOpen || quietNanos <= idleNanos || workPending) return Action.KEEP;
        if (phase == ConnectionPhase.CLOSING || phase == ConnectionPhase.DRAINING) return Action.CLOSE;
        // an answer the client has not read from for the whole idle time: it is not coming back for it
        if (hasOutput) return Action.CLOSE;
        return Action.TIME_OUT;
    }
}
