package io.warden.api;

import java.io.Closeable;

/**
 * The daemon's side of a subscription answer ({@code watch}): once the server has admitted the connection as a
 * watcher it opens the feed, and the daemon pushes lines into the sink as things happen, from its own thread.
 */
public interface LiveFeed {
    /** Starts pushing lines into {@code sink}; the server closes the returned handle when the connection ends. */
    Closeable open(LineSink sink);

    /** Where a feed pushes its lines; safe to call from any thread, never blocks. */
    interface LineSink {
        /**
         * Queues one line (with its newline). False when the watcher has not taken what was queued before and the
         * line would go past the bound: nothing was queued, and the feed ends the sink with a line saying why.
         */
        boolean offer(byte[] line);

        /** Ends the stream after what is queued and {@code last} (null: nothing more); later offers are refused. */
        void end(byte[] last);
    }
}
