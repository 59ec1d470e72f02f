package io.warden.api;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the socket server has done since the daemon started, for the metrics: connections admitted, requests
 * answered by operation and result ({@code ok} or the error code), and what was refused before any operation
 * (a request that does not parse, too large, too slow, or a connection with no slot). Written by the selector
 * thread, read by whoever renders the metrics.
 */
public final class ServerCounters {
    /** An operation and the result of its answer. */
    public record Outcome(String op, String result) implements Comparable<Outcome> {
        @Override
        public int compareTo(Outcome o) {
            int c = op.compareTo(o.op);
            return c != 0 ? c : result.compareTo(o.result);
        }
    }

    private final LongAdder connections = new LongAdder();
    private final Map<Outcome, LongAdder> answered = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();

    void admitted() {
        connections.increment();
    }

    void answered(Operation op, String result) {
        answered.computeIfAbsent(new Outcome(op.wire(), result), k -> new LongAdder()).increment();
    }

    void refused(String reason) {
        refused.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    public long connections() {
        return connections.sum();
    }

    public Map<Outcome, Long> answered() {
        Map<Outcome, Long> m = new TreeMap<>();
        answered.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    public Map<String, Long> refused() {
        Map<String, Long> m = new TreeMap<>();
        refused.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }
}
