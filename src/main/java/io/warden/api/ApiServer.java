package io.warden.api;

import org.tinylog.Logger;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The unix-socket server: one selector thread serves every connection, so a silent or slow client costs a few
 * bytes, never a thread, and cannot delay anyone else. The selector thread touches no file: who a peer is (the
 * user database, group membership, /proc) is found on a worker, and so are the blocks of a streamed answer.
 * Bounded in request size, idle time, connections per uid and in all, and output held per connection and in all
 * (see {@link Limits}). The parts: {@link Connection} and its {@link ConnectionPhase}s, {@link Admission} (the
 * slots), {@link WatchBuffer} (a watcher's bounded output), {@link IdleSweep} (the idle timeout) and this loop.
 */
public final class ApiServer implements AutoCloseable {
    /**
     * The bounds of the server; see the README's "Socket protocol". {@code maxWatchers} subscriptions in all, of
     * which one unprivileged uid may hold {@code perUidWatchers} and the last {@code privilegedWatchers} are kept
     * for root and the control group.
     */
    public record Limits(long idleTimeoutMillis, int maxConnections, int perUidConnections, int privilegedReserve,
                         int maxStreams, int unprivilegedStreams, int maxWatchers, int perUidWatchers,
                         int privilegedWatchers) {
    }

    private final SocketFile socketFile;
    private final PeerIdentity identity;
    private final Limits limits;
    private final LongSupplier nanos;
    private final ServerThreads threads;
    private final Admission admission;
    private final IdleSweep sweep;
    private final ServerSide side;
    /** Insertion order is age order: the oldest unprivileged connection is the first one found. */
    private final Set<Connection> connections = new LinkedHashSet<>();
    private Selector selector;
    private ServerSocketChannel server;
    private SelectionKey serverKey;
    private Thread thread;
    private volatile boolean closed;
    /** Only a socket this server bound is its to remove: a refused start must not delete a live daemon's. */
    private boolean bound;

    /** {@code onFailure} runs if a server thread dies: a daemon that cannot answer must end and be restarted. */
    public ApiServer(SocketFile socketFile, RequestHandler handler, PeerIdentity identity, Limits limits,
                     Runnable onFailure) {
        this(socketFile, handler, identity, limits, new ServerCounters(), onFailure);
    }

    /** As above, counting what it does in {@code counters}. */
    public ApiServer(SocketFile socketFile, RequestHandler handler, PeerIdentity identity, Limits limits,
                     ServerCounters counters, Runnable onFailure) {
        this(socketFile, handler, identity, limits, counters, onFailure, System::nanoTime);
    }

    /** As above, with the clock of the idle timeout. */
    ApiServer(SocketFile socketFile, RequestHandler handler, PeerIdentity identity, Limits limits,
              ServerCounters counters, Runnable onFailure, LongSupplier nanos) {
        this.socketFile = socketFile;
        this.identity = identity;
        this.limits = limits;
        this.nanos = nanos;
        this.threads = new ServerThreads(onFailure);
        this.admission = new Admission(limits, counters);
        this.sweep = new IdleSweep(limits.idleTimeoutMillis());
        this.side = new ServerSide(threads, admission, counters, handler, identity, nanos, connections::remove);
    }

    /**
     * Binds the socket (see {@link SocketFile}) without serving: connections wait in the backlog until
     * {@link #start()}. Lets the daemon learn that it can serve before it records anything.
     */
    public void bind() throws IOException {
        socketFile.prepare();
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socketFile.path()), 256);
        bound = true;
        socketFile.openUp();
    }

    /** Binds the socket unless {@link #bind()} did, and starts serving. */
    public void start() throws IOException {
        if (!bound) bind();
        server.configureBlocking(false);
        selector = Selector.open();
        threads.selector(selector);
        serverKey = server.register(selector, SelectionKey.OP_ACCEPT);
        thread = new Thread(this::loop, "warden-api");
        thread.setDaemon(true);
        thread.start();
    }

    /** Connections admitted and open (readable from any thread). */
    public int connectionCount() {
        return admission.connectionCount();
    }

    /** What one watcher may leave unread before it is dropped (README, "warden watch"). */
    public static int watchBufferBytes() {
        return WatchBuffer.BYTES;
    }

    /** Watchers subscribed now (readable from any thread). */
    public int watcherCount() {
        return admission.watcherCount();
    }

    private void loop() {
        long nextSweep = nanos.getAsLong();
        try {
            while (!closed) {
                // with no client there is nothing to time out: sleep until a connection or a wakeup
                selector.select(connections.isEmpty() ? 0 : IdleSweep.PERIOD_NANOS / 1_000_000L);
                threads.runCompletions();
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    try {
                        if (!key.isValid()) continue;
                        if (key.isAcceptable()) accept();
                        else {
                            Connection c = (Connection) key.attachment();
                            if (key.isReadable()) c.onReadable();
                            if (key.isValid() && key.isWritable()) c.onWritable();
                        }
                    } catch (IOException | RuntimeException e) {
                        // one broken connection (reset, cancelled key, a defect) is closed; the others go on
                        if (!(e instanceof IOException)) Logger.error(e, "closing a connection after: {}", e);
                        if (key.attachment() instanceof Connection) ((Connection) key.attachment()).close();
                    }
                }
                if (nanos.getAsLong() - nextSweep >= 0) {
                    sweepIdle();
                    nextSweep = nanos.getAsLong() + IdleSweep.PERIOD_NANOS;
                }
            }
            // answers completed while closing still go out before the connections are closed
            threads.runCompletions();
        } catch (ClosedSelectorException e) {
            if (!closed) threads.fail(e);
        } catch (Throwable e) {
            // an Error (a stack overflow, a failed class load) must not leave a daemon that no longer answers
            if (!closed) threads.fail(e);
        } finally {
            // only this thread touches the connections: it closes them on its way out
            for (Connection c : new ArrayList<>(connections)) c.close();
        }
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while (admission.mayIdentifyMore() && (ch = server.accept()) != null) {
            ch.configureBlocking(false);
            admission.identifying();
            SocketChannel accepted = ch;
            Connection c = new Connection(accepted, side);
            threads.offload(() -> identify(c, accepted));
        }
        // the kernel's backlog holds the rest until identities are known: accepting more would only grow a queue
        serverKey.interestOps(admission.mayIdentifyMore() ? SelectionKey.OP_ACCEPT : 0);
    }

    /** On a worker: the peer's credentials, then back to the selector thread to be admitted or refused. */
    private void identify(Connection c, SocketChannel ch) {
        Peer peer;
        try {
            peer = identity.of(ch);
        } catch (IOException | UnsupportedOperationException e) {
            // a peer gone before its credentials could be read, or a user database that fails: nobody to answer
            Logger.debug("closing a connection whose peer cannot be identified: {}", e.toString());
            peer = null;
        }
        Peer who = peer;
        threads.complete(() -> admit(c, ch, who));
    }

    private void admit(Connection c, SocketChannel ch, Peer peer) {
        admission.identified();
        if (!closed && serverKey.isValid()) serverKey.interestOps(SelectionKey.OP_ACCEPT);
        if (peer == null || closed) {
            c.close();
            return;
        }
        String refusal = admission.refusal(peer, connections);
        if (refusal != null) {
            try {
                ch.write(ByteBuffer.wrap(Answer.error(ErrorCode.BUSY, refusal).bytes()));
            } catch (IOException e) {
                Logger.debug("refusing a connection: {}", e.getMessage());
            }
            c.close();
            return;
        }
        try {
            c.admitted(peer, selector);
            connections.add(c);
            admission.admitted(peer);
        } catch (IOException e) {
            c.close();
        }
    }

    private void sweepIdle() {
        long now = nanos.getAsLong();
        for (Connection c : new ArrayList<>(connections)) {
            switch (sweep.judge(c.phase(), c.quietNanos(now), c.watchOpen(), c.hasOutput(), c.workPending())) {
                case CLOSE -> c.close();
                case TIME_OUT -> c.fail(ErrorCode.TIMEOUT, "no complete request within " + limits.idleTimeoutMillis()
                        + " ms");
                case KEEP -> {
                }
            }
        }
    }

    /** Stops serving. The selector thread closes the connections itself; this thread only asks it to end. */
    @Override
    public void close() throws IOException {
        closed = true;
        if (selector != null) {
            selector.wakeup();
            try {
                if (thread != null) thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread == null || !thread.isAlive()) selector.close();
        }
        threads.shutdown();
        if (server != null) server.close();
        if (bound) socketFile.remove();
    }
}
