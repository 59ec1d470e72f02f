package io.warden.api;

import org.tinylog.Logger;

import java.nio.channels.Selector;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The server's two kinds of thread and the hand-off between them: the selector thread, which alone touches the
 * connections, and two workers, which do what may block (who a peer is, the blocks of a streamed answer). Work
 * done on a worker comes back as a completion the selector thread runs after its next wakeup.
 */
final class ServerThreads {
    private final ConcurrentLinkedQueue<Runnable> completions = new ConcurrentLinkedQueue<>();
    private final ExecutorService workers;
    private final Runnable onFailure;
    private volatile Selector selector;
    private volatile boolean failed;

    /** {@code onFailure} runs once if a server thread dies: a daemon that cannot answer must end and be restarted. */
    ServerThreads(Runnable onFailure) {
        this.onFailure = onFailure;
        this.workers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "warden-api-worker");
            t.setDaemon(true);
            return t;
        });
    }

    void selector(Selector s) {
        selector = s;
    }

    /** Work off the selector thread; its own failure (not a peer's) is the server's failure. */
    void offload(Runnable work) {
        workers.execute(() -> {
            try {
                work.run();
            } catch (Throwable e) {
                fail(e);
            }
        });
    }

    /** Hands {@code onSelector} to the selector thread (from any thread). */
    void complete(Runnable onSelector) {
        completions.add(onSelector);
        selector.wakeup();
    }

    /** Runs the completions handed in so far; on the selector thread. */
    void runCompletions() {
        Runnable r;
        while ((r = completions.poll()) != null) r.run();
    }

    void fail(Throwable e) {
        if (failed) return;
        failed = true;
        Logger.error(e, "socket server stopped: {}", e.toString());
        onFailure.run();
    }

    void shutdown() {
        workers.shutdownNow();
    }
}
