package io.warden.daemon;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The log lines of refused requests, bounded: a user who sends refused requests in a loop must not be able to
 * fill warden's log. In each window ({@link #WINDOW_NANOS}) the first refusal of each user is logged in full; the
 * others are counted, and the counts are logged on one summary line when the next window opens (at the next
 * refusal after it) or when warden stops. So refusals cost at most one line per user and one summary line per
 * window; the metrics count every refusal, as before. Called from the socket's threads.
 */
final class RefusalLog {
    /** How long one window lasts: a user's refusals are logged one by one at most once in this time. */
    static final long WINDOW_NANOS = 60_000_000_000L;
    /** Users logged in full or named in the summary per window; refusals of users past these are summed. */
    static final int MAX_USERS = 32;

    private final LongSupplier nanos;
    private final Consumer<String> sink;
    private final Set<Object> logged = new HashSet<>();
    private final Map<String, Long> suppressed = new LinkedHashMap<>();
    private long others;
    private long windowStart;
    private boolean open;

    /** {@code nanos}: a monotonic clock; {@code sink}: where a line goes (the daemon's: a WARN in its log). */
    RefusalLog(LongSupplier nanos, Consumer<String> sink) {
        this.nanos = nanos;
        this.sink = sink;
    }

    /**
     * One refusal of {@code account} (compared by equality: the peer's principal), {@code who} naming it for a
     * person (printable), with the sentence the refusal carried.
     */
    synchronized void refused(Object account, String who, String sentence) {
        long now = nanos.getAsLong();
        if (!open || now - windowStart >= WINDOW_NANOS) {
            summarize();
            logged.clear();
            windowStart = now;
            open = true;
        }
        if (logged.size() < MAX_USERS && logged.add(account)) {
            sink.accept("refused: " + sentence);
        } else if (logged.contains(account) && (suppressed.containsKey(who) || suppressed.size() < MAX_USERS)) {
            suppressed.merge(who, 1L, Long::sum);
        } else {
            others++;
        }
    }

    /** Logs what the window holds unlogged (warden stops: nothing may go missing from the log's counts). */
    synchronized void flush() {
        summarize();
        open = false;
    }

    private void summarize() {
        if (suppressed.isEmpty() && others == 0) return;
        long total = others;
        StringBuilder by = new StringBuilder();
        for (Map.Entry<String, Long> e : suppressed.entrySet()) {
            total += e.getValue();
            by.append(by.length() == 0 ? "" : ", ").append(e.getKey()).append(": ").append(e.getValue());
        }
        if (others > 0) by.append(by.length() == 0 ? "" : ", ").append("other users: ").append(others);
        sink.accept("refused " + total + " more request" + (total == 1 ? "" : "s") + " within "
                + WINDOW_NANOS / 1_000_000_000L + " s of each user's first refusal logged (" + by
                + "); each is counted in warden_requests_total");
        suppressed.clear();
        others = 0;
    }
}
