package io.warden.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The decision loop's work queue, closed once at the end of the daemon's life. {@link #close} hands back what was
 * queued and from then on {@link #add} refuses, atomically with the close: work handed in is either run by the
 * loop's last drain or refused to its sender, who answers for it (a change request gets {@code shutting-down}); it
 * is never left in a queue nobody reads.
 */
final class LoopQueue {
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private boolean closed;

    /** Queues {@code task} for the loop; false once the loop has drained for the last time. */
    synchronized boolean add(Runnable task) {
        if (closed) return false;
        tasks.add(task);
        return true;
    }

    Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
        return tasks.poll(timeout, unit);
    }

    /** The next task already queued, or null: the rest of a loop turn never waits. */
    Runnable pollNow() {
        return tasks.poll();
    }

    /** Closes the queue: returns what is still queued, in order; every later {@link #add} is refused. */
    synchronized List<Runnable> close() {
        closed = true;
        List<Runnable> left = new ArrayList<>();
        tasks.drainTo(left);
        return left;
    }
}
