package io.warden.daemon;

import io.warden.api.ApiServer;
import io.warden.api.PeerIdentity;
import io.warden.api.ServerCounters;
import io.warden.api.SocketFile;
import io.warden.s6.StatusWatcher;
import io.warden.state.StateLock;
import org.tinylog.Logger;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What the daemon holds open while it runs: the state directory's lock, the socket server, the status watcher and
 * the metrics port. Opened during the boot, closed at the end, in that order of dependence.
 */
final class Endpoints {
    /**
     * Socket bounds (README, "Socket protocol"): 5 s idle time; 2048 connections, of which one unprivileged uid
     * may hold 64 and 64 are kept for root and the control group; 32 history answers streamed at once, 24 of
     * them for unprivileged peers; 256 watchers, of which one unprivileged uid may hold 8 and 32 are kept for root
     * and the control group.
     */
    private static final ApiServer.Limits SOCKET_LIMITS = new ApiServer.Limits(5000, 2048, 64, 64, 32, 24, 256, 8, 32);
    /** How often the watcher looks for a service directory that is not there yet. */
    private static final long WAITING_POLL_MILLIS = 1000;
    /** Re-read of a watched status file in case inotify missed something: a safety net, not the mechanism. */
    private static final long SAFETY_POLL_MILLIS = 60_000;

    private final Requests requests;
    private final PeerIdentity identity;
    private final MetricsBook metrics;
    private final Watchers watchers;
    private StateLock lock;
    private ApiServer server;
    private StatusWatcher watcher;
    private MetricsHttp metricsHttp;

    Endpoints(Requests requests, PeerIdentity identity, MetricsBook metrics, Watchers watchers) {
        this.requests = requests;
        this.identity = identity;
        this.metrics = metrics;
        this.watchers = watchers;
    }

    /** The state directory's lock, taken: held until {@link #close}. */
    void hold(StateLock l) {
        lock = l;
    }

    /** Binds the socket (not yet served): a warden that cannot serve records nothing. */
    void bindSocket(Path socket, Runnable onFailure) throws IOException {
        ServerCounters counters = new ServerCounters();
        server = new ApiServer(new SocketFile(socket), requests, identity, SOCKET_LIMITS, counters, onFailure);
        ApiServer s = server;
        metrics.server(counters, s::connectionCount, watchers::count);
        server.bind();
    }

    /** The status watcher of the scandir, not started yet. */
    StatusWatcher watcher(Path scandir, StatusWatcher.Listener listener, Consumer<Throwable> onFailure)
            throws IOException {
        watcher = new StatusWatcher(scandir, WAITING_POLL_MILLIS, SAFETY_POLL_MILLIS, listener, onFailure);
        return watcher;
    }

    /** Serves the socket, and {@code GET /metrics} at {@code listen} when it is set. */
    void serve(InetSocketAddress listen, Supplier<String> render) throws IOException {
        server.start();
        if (listen != null) {
            metricsHttp = MetricsHttp.start(listen, render);
            Logger.info("metrics served at http://{}/metrics", metricsHttp.address());
        }
    }

    void close() {
        // every watcher has had warden's stop event (or nothing was started): their streams end here
        watchers.endAll();
        if (metricsHttp != null) metricsHttp.close();
        try {
            if (watcher != null) watcher.close();
            if (server != null) server.close();
            if (lock != null) lock.close();
        } catch (IOException e) {
            Logger.warn("while closing: {}", e.getMessage());
        }
        requests.close();
    }
}
