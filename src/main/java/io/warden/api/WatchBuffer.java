package io.warden.api;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * A watcher's lines not yet written: filled by the daemon's thread, emptied by the selector thread. At most
 * {@link #BYTES}: a line past that is refused (the watcher overflowed), and the feed then ends the stream with a
 * line saying why. A flush is scheduled on the selector once per batch, not once per line.
 */
final class WatchBuffer implements LiveFeed.LineSink {
    /**
     * Lines one watcher may leave unread in warden before it is dropped. The lines themselves are shared by every
     * watcher (an event is encoded once), so this bounds what a watcher holds on to, not a copy of its own.
     */
    static final int BYTES = 64 * 1024;
    /** A watcher's kernel send buffer: small, so a watcher that stops reading reaches warden's own bound soon. */
    static final int SOCKET_BUFFER = 8 * 1024;

    private final ArrayDeque<byte[]> lines = new ArrayDeque<>();
    /** Runs on the daemon's thread; puts the flush on the selector's queue. */
    private final Runnable scheduleFlush;
    private final LongSupplier nanos;
    private int bytes;
    private boolean ended;
    /** When the stream ended (the server's clock), read by the selector's idle sweep. */
    private volatile long endedAt;
    private boolean flushScheduled;

    WatchBuffer(Runnable scheduleFlush, LongSupplier nanos) {
        this.scheduleFlush = scheduleFlush;
        this.nanos = nanos;
    }

    @Override
    public synchronized boolean offer(byte[] line) {
        if (ended || bytes + line.length > BYTES) return false;
        lines.add(line);
        bytes += line.length;
        flushOnce();
        return true;
    }

    @Override
    public synchronized void end(byte[] last) {
        if (ended) return;
        ended = true;
        endedAt = nanos.getAsLong();
        if (last != null) {
            lines.add(last);
            bytes += last.length;
        }
        flushOnce();
    }

    private void flushOnce() {
        if (flushScheduled) return;
        flushScheduled = true;
        scheduleFlush.run();
    }

    /** The next line, or null when none waits (a later line schedules a flush again). */
    synchronized byte[] poll() {
        byte[] b = lines.poll();
        if (b == null) {
            flushScheduled = false;
            return null;
        }
        bytes -= b.length;
        return b;
    }

    synchronized boolean isEmpty() {
        return lines.isEmpty();
    }

    synchronized boolean ended() {
        return ended;
    }

    long endedAt() {
        return endedAt;
    }
}
