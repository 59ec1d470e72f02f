package io.warden.daemon;

import io.warden.state.IntentState;
import org.tinylog.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Intents that could not be read at boot are read again every {@value #EVERY_SECONDS} s while one is unreadable;
 * one that now can be read gets its boot plan.
 */
final class UnreadableRetry {
    static final long EVERY_SECONDS = 5;
    private static final long EVERY_NANOS = EVERY_SECONDS * 1_000_000_000L;

    private final ServiceTable services;
    private final IntentState defaultIntent;
    private final TimeSource time;
    private long next;

    UnreadableRetry(ServiceTable services, IntentState defaultIntent, TimeSource time) {
        this.services = services;
        this.defaultIntent = defaultIntent;
        this.time = time;
        this.next = time.nanos() + EVERY_NANOS;
    }

    /** Nanoseconds until the next retry is due (0 or less: due). */
    long nanosToNext(long now) {
        return next - now;
    }

    /** Reads the unreadable intents again when due; true when one could be read (what status shows changed). */
    boolean retryIfDue(long now) {
        if (now - next < 0) return false;
        next = now + EVERY_NANOS;
        // every read first: whether a service is held depends on the intents of what it depends on
        List<ServiceController> recovered = new ArrayList<>();
        for (ServiceController c : services.all()) {
            if (c.unreadable() != null && c.retryUnreadable(defaultIntent, time.now())) recovered.add(c);
        }
        for (ServiceController c : recovered) {
            try {
                c.applyBootPlan(time.now(), c.currentRun(), services.heldBy(c));
            } catch (IOException e) {
                Logger.error("{}: cannot apply its intent: {}", c.name(), Ledger.describe(e));
            }
        }
        if (!recovered.isEmpty()) services.bringUpAllWanted();
        return !recovered.isEmpty();
    }
}
