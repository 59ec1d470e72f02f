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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The unix-socket server: one selector thread serves every connection, so a silent or slow client costs a buffer,
 * never a thread, and cannot delay anyone else. Bounded in request size, idle time and connection count.
 */
public final class ApiServer implements AutoCloseable {
    private final SocketFile socketFile;
    private final RequestHandler handler;
    private final PeerIdentity identity;
    private final long idleTimeoutMillis;
    private final int maxConnections;
    private final Runnable onFailure;
    private final ConcurrentLinkedQueue<Runnable> completions = new ConcurrentLinkedQueue<>();
    private final Set<Connection> connections = new HashSet<>();
    private Selector selector;
    private ServerSocketChannel server;
    private Thread thread;
    private volatile boolean closed;
    /** Only a socket this server bound is its to remove: a refused start must not delete a live daemon's. */
    private boolean bound;

    /** {@code onFailure} runs if the server thread dies: a daemon that cannot answer must end and be restarted. */
    public ApiServer(SocketFile socketFile, RequestHandler handler, PeerIdentity identity, long idleTimeoutMillis,
                     int maxConnections, Runnable onFailure) {
        this.socketFile = socketFile;
        this.handler = handler;
        this.identity = identity;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.maxConnections = maxConnections;
        this.onFailure = onFailure;
    }

    /** Binds the socket (see {@link SocketFile}) and starts serving. */
    public void start() throws IOException {
        socketFile.prepare();
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socketFile.path()), 256);
        bound = true;
        socketFile.openUp();
        server.configureBlocking(false);
        selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
        thread = new Thread(this::loop, "warden-api");
        thread.setDaemon(true);
        thread.start();
    }

    public int connectionCount() {
        return connections.size();
    }

    private void loop() {
        long nextSweep = System.nanoTime();
        try {
            while (!closed) {
                // with no client there is nothing to time out: sleep until a connection or a wakeup
                selector.select(connections.isEmpty() ? 0 : 250);
                Runnable r;
                while ((r = completions.poll()) != null) r.run();
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
                if (System.nanoTime() - nextSweep >= 0) {
                    sweepIdle();
                    nextSweep = System.nanoTime() + 250_000_000L;
                }
            }
            // answers completed while closing still go out before the connections are closed
            Runnable r;
            while ((r = completions.poll()) != null) r.run();
        } catch (ClosedSelectorException e) {
            return;
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                Logger.error(e, "socket server stopped: {}", e.getMessage());
                onFailure.run();
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = server.accept()) != null) {
            ch.configureBlocking(false);
            if (connections.size() >= maxConnections) {
                ch.write(ByteBuffer.wrap(Answer.error(ErrorCode.BUSY,
                        "too many connections (" + maxConnections + "); try again").bytes()));
                ch.close();
                continue;
            }
            Peer peer;
            try {
                peer = identity.of(ch);
            } catch (IOException | UnsupportedOperationException e) {
                // a peer gone before its credentials could be read: nobody is left to answer
                ch.close();
                continue;
            }
            Connection c = new Connection(ch, peer);
            connections.add(c);
            c.key = ch.register(selector, SelectionKey.OP_READ, c);
        }
    }

    private void sweepIdle() {
        long now = System.nanoTime();
        for (Connection c : new ArrayList<>(connections)) {
            if (now - c.lastActivity <= idleTimeoutMillis * 1_000_000L || c.inFlight) continue;
            if (c.draining || c.closeAfterWrite) {
                // answered already (or the answer cannot be delivered to a client that does not read): done
                c.close();
            } else if (!c.out.isEmpty()) {
                // an answer the client has not read for the whole idle time: it is not coming back for it
                c.close();
            } else {
                c.fail(ErrorCode.TIMEOUT, "no complete request within " + idleTimeoutMillis + " ms");
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        if (selector != null) {
            selector.wakeup();
            try {
                if (thread != null) thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (Connection c : new ArrayList<>(connections)) c.close();
            selector.close();
        }
        if (server != null) server.close();
        if (bound) socketFile.remove();
    }

    private final class Connection {
        private final SocketChannel ch;
        private final Peer peer;
        private final ByteBuffer in = ByteBuffer.allocate(Protocol.MAX_REQUEST_BYTES);
        private final List<ByteBuffer> out = new ArrayList<>();
        private SelectionKey key;
        private long lastActivity = System.nanoTime();
        private boolean inFlight;
        private boolean closeAfterWrite;
        private boolean eof;
        /** Answered and half-closed; unread input is discarded so that closing does not reset the answer away. */
        private boolean draining;

        Connection(SocketChannel ch, Peer peer) {
            this.ch = ch;
            this.peer = peer;
        }

        void onReadable() throws IOException {
            if (draining) {
                in.clear();
                if (ch.read(in) < 0) close();
                in.clear();
                return;
            }
            if (inFlight || closeAfterWrite || !out.isEmpty()) {
                // one request at a time, and no new one while an answer waits to be read: a client that sends
                // without reading stalls itself, not the daemon's memory
                key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
                return;
            }
            int n = ch.read(in);
            if (n < 0) {
                eof = true;
                key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
                if (in.position() == 0) {
                    if (out.isEmpty()) close();
                    else closeAfterWrite = true;
                    return;
                }
            }
            nextRequest();
        }

        /** Takes the next complete line from the buffer (or the rest, at end of input) and dispatches it. */
        private void nextRequest() {
            if (inFlight || closeAfterWrite || !out.isEmpty() || !ch.isOpen()) return;
            int end = -1;
            for (int i = 0; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    end = i;
                    break;
                }
            }
            if (end < 0) {
                if (eof && in.position() > 0) {
                    end = in.position();
                } else {
                    if (!in.hasRemaining()) {
                        fail(ErrorCode.TOO_LARGE, "request longer than " + Protocol.MAX_REQUEST_BYTES + " bytes");
                    }
                    return;
                }
            }
            String line = new String(in.array(), 0, end, StandardCharsets.UTF_8).trim();
            int consumed = Math.min(end + 1, in.position());
            in.flip();
            in.position(consumed);
            in.compact();
            lastActivity = System.nanoTime();
            if (line.isEmpty()) {
                nextRequest();
                return;
            }
            Request req;
            try {
                req = Request.parse(line);
            } catch (ProtocolException e) {
                reply(Answer.error(e.code(), e.getMessage()));
                return;
            }
            // the claimed pid only matters where it is recorded: with a change of intent
            Peer who = req.op().changesIntent() ? identity.withClaimedPid(peer, req.claimedPid()) : peer;
            CompletableFuture<Answer> answer = handler.handle(req, who);
            if (answer.isDone() && !answer.isCompletedExceptionally()) {
                // status and check are answered at once: no trip through the completion queue and a wakeup
                reply(answer.join());
                return;
            }
            inFlight = true;
            answer.whenComplete((resp, err) -> {
                completions.add(() -> {
                    inFlight = false;
                    if (err != null) {
                        Logger.error(err, "request {} failed", req.op().wire());
                        reply(Answer.error(ErrorCode.INTERNAL, "internal error: " + err));
                    } else {
                        reply(resp);
                    }
                });
                selector.wakeup();
            });
        }

        private void reply(Answer answer) {
            if (!ch.isOpen()) return;
            out.add(ByteBuffer.wrap(answer.bytes()));
            lastActivity = System.nanoTime();
            try {
                onWritable();
            } catch (IOException e) {
                close();
            }
        }

        void fail(ErrorCode code, String message) {
            closeAfterWrite = true;
            out.add(ByteBuffer.wrap(Answer.error(code, message).bytes()));
            try {
                onWritable();
            } catch (IOException e) {
                close();
            }
        }

        void onWritable() throws IOException {
            while (!out.isEmpty()) {
                ByteBuffer b = out.get(0);
                ch.write(b);
                if (b.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_WRITE);
                    return;
                }
                out.remove(0);
            }
            if (closeAfterWrite && !eof) {
                draining = true;
                lastActivity = System.nanoTime();
                ch.shutdownOutput();
                key.interestOps(SelectionKey.OP_READ);
                return;
            }
            if (closeAfterWrite || (eof && in.position() == 0 && !inFlight)) {
                close();
                return;
            }
            key.interestOps(eof ? 0 : SelectionKey.OP_READ);
            nextRequest();
        }

        void close() {
            connections.remove(this);
            if (key != null) key.cancel();
            try {
                ch.close();
            } catch (IOException e) {
                Logger.debug("closing a client connection: {}", e.getMessage());
            }
        }
    }
}
