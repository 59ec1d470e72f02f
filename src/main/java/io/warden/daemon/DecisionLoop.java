package io.warden.daemon;

import org.tinylog.Logger;

import java.util.concurrent.TimeUnit;

/**
 * The one thread every decision runs on: s6 status changes, signals and intent changes arrive as tasks on its
 * queue, so the rules never race each other; between tasks it runs what is due (the controllers' deadlines, the
 * copy scan, the unreadable-intent retry) and publishes what changed. It ends at warden's stop record.
 */
final class DecisionLoop {
    /** The longest sleep when nothing is due: a safety net, not the mechanism. */
    private static final long IDLE_NANOS = 60_000_000_000L;
    /**
     * Tasks already queued are run in the same turn, up to this many, so that what they write goes to the volume
     * together (one journal fsync, one run record) when 50 services come up at once; bounded so that a flood of
     * tasks still lets deadlines and publishing run.
     */
    private static final int MAX_TASKS_PER_TURN = 256;

    private final LoopQueue tasks;
    private final TimeSource time;
    private final ServiceTable services;
    private final WardenRun run;
    private final CopyScan copies;
    private final UnreadableRetry unreadable;
    private final Runnable publish;
    private final Ledger ledger;

    DecisionLoop(LoopQueue tasks, TimeSource time, ServiceTable services, WardenRun run, CopyScan copies,
                 UnreadableRetry unreadable, Runnable publish, Ledger ledger) {
        this.ledger = ledger;
        this.tasks = tasks;
        this.time = time;
        this.services = services;
        this.run = run;
        this.copies = copies;
        this.unreadable = unreadable;
        this.publish = publish;
    }

    /** Runs until warden's stop record (or an interrupt). */
    void run() {
        while (true) {
            long now = time.nanos();
            long wait = Math.min(IDLE_NANOS, copies.nanosToNext(now));
            // one walk: each controller's next deadline, and whether any intent is unreadable
            boolean anyUnreadable = false;
            for (ServiceController c : services.all()) {
                wait = Math.min(wait, c.nanosToNextDeadline(now));
                anyUnreadable |= c.unreadable() != null;
            }
            if (anyUnreadable) wait = Math.min(wait, unreadable.nanosToNext(now));
            Runnable task;
            try {
                task = tasks.poll(Math.max(0, wait), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            boolean changed = false;
            ledger.openTurn();
            try {
                for (int n = 0; task != null; task = ++n < MAX_TASKS_PER_TURN ? tasks.pollNow() : null) {
                    runGuarded(task);
                }
                // nothing is decided after warden's stop record (a due cause would be journaled after it)
                if (run.ending()) return;
                long t = time.nanos();
                for (ServiceController c : services.all()) changed |= c.tick(t);
                changed |= copies.scanIfDue(t);
                if (anyUnreadable) changed |= unreadable.retryIfDue(t);
            } finally {
                ledger.closeTurn();
            }
            if (changed) publish.run();
        }
    }

    /**
     * After the loop: what arrived with or after the signal still gets its answer ("shutting-down") or its log
     * line; what comes later is refused to its sender, who answers for it.
     */
    void drain() {
        for (Runnable late : tasks.close()) runGuarded(late);
    }

    /** A defect in one task must not end the loop that every other decision depends on. */
    static void runGuarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            Logger.error(e, "internal error in warden's decision loop (continuing): {}", e);
        }
    }
}
