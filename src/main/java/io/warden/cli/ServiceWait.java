package io.warden.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code start|stop|restart} knows of its service while it waits, and whether that is the wanted state: a
 * status document read once the request was answered, kept current by the service's events ({@code gateway-up},
 * {@code gateway-exit}, {@code backoff}). A pure decision on values and a time given by the caller, so every rule
 * is tested without a daemon.
 * <ul>
 * <li>{@code stop}: reached once s6 shows it down or failed, or it has no run at all (starting again or held in
 * back-off: the {@code d} already sent means none follows). The run's end ({@code gateway-exit}) leaves it
 * {@code stopping}: s6 runs the service's finish script next, and no event tells when that is over, so the caller
 * reads the status again until it is ({@link #needsStatus}).</li>
 * <li>{@code start}: reached once a run is up and the same run has lasted {@link #SETTLE_NANOS} (so one that dies
 * at once, a bad configuration, is not reported as started); {@code restart}: the same, for a run other than
 * the one before. A run that ends with exit 78 (fatal configuration) fails the wait: s6 does not restart it.</li>
 * </ul>
 */
final class ServiceWait {
    /**
     * A started gateway counts as up once the same run has lasted this long, so one that dies at once (a bad
     * configuration) is not reported as started. s6 uses the same second to tell a run from a crash loop.
     */
    static final long SETTLE_NANOS = 1_000_000_000L;
    private static final long FATAL_CONFIG_EXIT = 78;

    enum Verdict { WAITING, REACHED, FAILED }

    private final String op;
    private final String want;
    private final Object previousPid;
    /** The last status document, with what later events changed in it; null until a status was read. */
    private Map<String, Object> last;
    private Object settlingPid;
    private long settledAt;

    ServiceWait(String op, Object previousPid) {
        this.op = op;
        this.want = op.equals("stop") ? "down" : "up";
        this.previousPid = previousPid;
    }

    String want() {
        return want;
    }

    /** What is known now, for the words at the end; null when no status was read. */
    Map<String, Object> last() {
        return last;
    }

    /** A status document of the service, read at {@code now}. */
    void status(Map<String, Object> st, long now) {
        last = new LinkedHashMap<>(st);
        settle(now);
    }

    /** One of the service's events, read at {@code now}; events before the first status are not needed. */
    void event(Map<String, Object> e, long now) {
        if (last == null) return;
        Object pid = e.get("pid");
        switch (String.valueOf(e.get("event"))) {
            case "gateway-up" -> {
                if (pid == null) return;
                last.put("observed", "up");
                last.put("pid", pid);
                last.put("drift", want.equals("down"));
            }
            case "gateway-exit" -> {
                // the end of a run other than the one known up is older news (a status newer than the event)
                if (last.get("pid") != null && !last.get("pid").equals(pid)) return;
                boolean fatal = e.get("exitCode") instanceof Number n && n.longValue() == FATAL_CONFIG_EXIT;
                last.put("observed", fatal ? "failed" : want.equals("down") ? "stopping" : "starting");
                last.put("pid", null);
                last.put("drift", fatal && want.equals("up"));
            }
            case "backoff" -> {
                last.put("observed", "backoff");
                last.put("pid", null);
                last.put("drift", false);
            }
            default -> {
                return;
            }
        }
        settle(now);
    }

    private void settle(long now) {
        if (!reached()) {
            settlingPid = null;
            return;
        }
        if (!op.equals("stop") && !last.get("pid").equals(settlingPid)) {
            settlingPid = last.get("pid");
            settledAt = now + SETTLE_NANOS;
        }
    }

    Verdict verdict(long now) {
        if (last == null) return Verdict.WAITING;
        if (reached() && (op.equals("stop") || now - settledAt >= 0)) return Verdict.REACHED;
        if ("failed".equals(last.get("observed")) && !op.equals("stop")) return Verdict.FAILED;
        return Verdict.WAITING;
    }

    /**
     * Whether only a status can tell what comes next: a stop whose run has ended while s6 may still run the finish
     * script ({@code stopping} with no pid), whose end no event reports.
     */
    boolean needsStatus() {
        return last != null && op.equals("stop") && "stopping".equals(last.get("observed")) && last.get("pid") == null;
    }

    /** When a run now settling counts as started (System.nanoTime), or {@code Long.MAX_VALUE} when none settles. */
    long decidesAt() {
        return settlingPid == null || op.equals("stop") ? Long.MAX_VALUE : settledAt;
    }

    private boolean reached() {
        Object observed = last.get("observed");
        if (op.equals("stop")) {
            return "down".equals(observed) || "failed".equals(observed)
                    || (last.get("pid") == null && ("starting".equals(observed) || "backoff".equals(observed)));
        }
        if (!"up".equals(observed) || last.get("pid") == null) return false;
        return !op.equals("restart") || previousPid == null || !previousPid.equals(last.get("pid"));
    }
}
