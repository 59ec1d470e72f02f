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
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The unix-socket server: one selector thread serves every connection, so a silent or slow client costs a few
 * bytes, never a thread, and cannot delay anyone else. The selector thread touches no file: who a peer is (the
 * user database, group membership, /proc) is found on a worker, and so are the blocks of a streamed answer.
 * Bounded in request size, idle time, connections per uid and in all, and output held per connection and in all
 * (see {@link Limits}).
 */
public final class ApiServer implements AutoCloseable {
    /** Block size of a streamed answer: what a connection holds at most while its client is not reading. */
    static final int STREAM_BLOCK = 16 * 1024;
    /** Connections accepted whose peer is still being identified; beyond this, accepting waits. */
    private static final int MAX_UNIDENTIFIED = 64;
    private static final int FIRST_READ_BUFFER = 256;
    /**
     * Lines one watcher may leave unread in warden before it is dropped. The lines themselves are shared by every
     * watcher (an event is encoded once), so this bounds what a watcher holds on to, not a copy of its own.
     */
    static final int WATCH_BUFFER_BYTES = 64 * 1024;
    /** A watcher's kernel send buffer: small, so a watcher that stops reading reaches warden's own bound soon. */
    private static final int WATCH_SOCKET_BUFFER = 8 * 1024;

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
    private final RequestHandler handler;
    private final PeerIdentity identity;
    private final Limits limits;
    private final long idleNanos;
    private final Runnable onFailure;
    private final ConcurrentLinkedQueue<Runnable> completions = new ConcurrentLinkedQueue<>();
    private final ExecutorService workers;
    /** Insertion order is age order: the oldest unprivileged connection is the first one found. */
    private final Set<Connection> connections = new LinkedHashSet<>();
    private final ConnectionQuota quota;
    private final ServerCounters counters;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicInteger watchers = new AtomicInteger();
    /** Watcher slots, judged as connection slots are: a share per uid and a reserve for privileged peers. */
    private final ConnectionQuota watcherQuota;
    private int unidentified;
    private int streams;
    private int unprivilegedStreams;
    private Selector selector;
    private ServerSocketChannel server;
    private SelectionKey serverKey;
    private Thread thread;
    private volatile boolean closed;
    private volatile boolean failed;
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
        this.counters = counters;
        this.socketFile = socketFile;
        this.handler = handler;
        this.identity = identity;
        this.limits = limits;
        this.idleNanos = limits.idleTimeoutMillis() * 1_000_000L;
        this.onFailure = onFailure;
        this.quota = new ConnectionQuota(limits.maxConnections(), limits.perUidConnections(),
                limits.privilegedReserve());
        this.watcherQuota = new ConnectionQuota(limits.maxWatchers(), limits.perUidWatchers(),
                limits.privilegedWatchers());
        this.workers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "warden-api-worker");
            t.setDaemon(true);
            return t;
        });
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
        serverKey = server.register(selector, SelectionKey.OP_ACCEPT);
        thread = new Thread(this::loop, "warden-api");
        thread.setDaemon(true);
        thread.start();
    }

    /** Connections admitted and open (readable from any thread). */
    public int connectionCount() {
        return openConnections.get();
    }

    /** What one watcher may leave unread before it is dropped (README, "warden watch"). */
    public static int watchBufferBytes() {
        return WATCH_BUFFER_BYTES;
    }

    /** Watchers subscribed now (readable from any thread). */
    public int watcherCount() {
        return watchers.get();
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
            if (!closed) fail(e);
        } catch (Throwable e) {
            // an Error (a stack overflow, a failed class load) must not leave a daemon that no longer answers
            if (!closed) fail(e);
        } finally {
            // only this thread touches the connections: it closes them on its way out
            for (Connection c : new ArrayList<>(connections)) c.close();
        }
    }

    private void fail(Throwable e) {
        if (failed) return;
        failed = true;
        Logger.error(e, "socket server stopped: {}", e.toString());
        onFailure.run();
    }

    /** Work off the selector thread; its own failure (not a peer's) is the server's failure. */
    private void offload(Runnable work) {
        workers.execute(() -> {
            try {
                work.run();
            } catch (Throwable e) {
                fail(e);
            }
        });
    }

    private void complete(Runnable onSelector) {
        completions.add(onSelector);
        selector.wakeup();
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while (unidentified < MAX_UNIDENTIFIED && (ch = server.accept()) != null) {
            ch.configureBlocking(false);
            unidentified++;
            SocketChannel accepted = ch;
            offload(() -> identify(accepted));
        }
        // the kernel's backlog holds the rest until identities are known: accepting more would only grow a queue
        serverKey.interestOps(unidentified < MAX_UNIDENTIFIED ? SelectionKey.OP_ACCEPT : 0);
    }

    /** On a worker: the peer's credentials, then back to the selector thread to be admitted or refused. */
    private void identify(SocketChannel ch) {
        Peer peer;
        try {
            peer = identity.of(ch);
        } catch (IOException | UnsupportedOperationException e) {
            // a peer gone before its credentials could be read, or a user database that fails: nobody to answer
            Logger.debug("closing a connection whose peer cannot be identified: {}", e.toString());
            peer = null;
        }
        Peer who = peer;
        complete(() -> admit(ch, who));
    }

    private void admit(SocketChannel ch, Peer peer) {
        unidentified--;
        if (!closed && serverKey.isValid()) serverKey.interestOps(SelectionKey.OP_ACCEPT);
        if (peer == null || closed) {
            closeQuietly(ch);
            return;
        }
        ConnectionQuota.Verdict v = quota.judge(peer);
        if (v == ConnectionQuota.Verdict.EVICT_OLDEST_UNPRIVILEGED) {
            for (Connection c : connections) {
                if (!c.peer.mayControl()) {
                    c.evict();
                    break;
                }
            }
            v = quota.judge(peer);
        }
        if (v != ConnectionQuota.Verdict.ADMIT) {
            String why = v == ConnectionQuota.Verdict.REFUSE_UID_FULL
                    ? "user " + peer.user() + " already has " + quota.perUid() + " connections open; close one and try again"
                    : "too many connections (" + quota.max() + "); try again";
            counters.refused(ErrorCode.BUSY.wire());
            try {
                ch.write(ByteBuffer.wrap(Answer.error(ErrorCode.BUSY, why).bytes()));
            } catch (IOException e) {
                Logger.debug("refusing a connection: {}", e.getMessage());
            }
            closeQuietly(ch);
            return;
        }
        try {
            Connection c = new Connection(ch, peer);
            c.key = ch.register(selector, SelectionKey.OP_READ, c);
            connections.add(c);
            quota.added(peer);
            openConnections.incrementAndGet();
            counters.admitted();
        } catch (IOException e) {
            closeQuietly(ch);
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            Logger.debug("closing a client connection: {}", e.getMessage());
        }
    }

    private void sweepIdle() {
        long now = System.nanoTime();
        for (Connection c : new ArrayList<>(connections)) {
            // a watcher waits for events as long as it likes; once its stream has ended it is timed out as any other
            if (c.live != null && !c.live.ended()) continue;
            // an ended stream's idle time counts from its end: a watcher that read nothing for a while (which is
            // why it was dropped) still gets the whole idle time to read what it holds and the line saying why
            long last = c.live == null ? c.lastActivity : Math.max(c.lastActivity, c.live.endedAt());
            if (now - last <= idleNanos || c.inFlight || c.filling) continue;
            if (c.draining || c.closeAfterWrite) {
                // answered already (or the answer cannot be delivered to a client that does not read): done
                c.close();
            } else if (c.hasOutput()) {
                // an answer the client has not read from for the whole idle time: it is not coming back for it
                c.close();
            } else {
                c.fail(ErrorCode.TIMEOUT, "no complete request within " + limits.idleTimeoutMillis() + " ms");
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
        workers.shutdownNow();
        if (server != null) server.close();
        if (bound) socketFile.remove();
    }

    /** Blank around a request line: spaces, tabs, a CR. Not NUL and other controls: those are a bad request. */
    static String trimLine(byte[] b, int len) {
        int from = 0;
        int to = len;
        while (from < to && isBlank(b[from])) from++;
        while (to > from && isBlank(b[to - 1])) to--;
        return new String(b, from, to - from, StandardCharsets.UTF_8);
    }

    private static boolean isBlank(byte c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    private final class Connection {
        private final SocketChannel ch;
        private final Peer peer;
        /** Allocated when bytes arrive, grown up to the request bound, dropped when empty. */
        private ByteBuffer in;
        /** At most one whole answer (and a final error) waits here: one request is served at a time. */
        private final ArrayList<ByteBuffer> out = new ArrayList<>(1);
        private AnswerStream stream;
        private ByteBuffer block;
        private boolean streamDone;
        private boolean filling;
        private SelectionKey key;
        private long lastActivity = System.nanoTime();
        private boolean inFlight;
        private boolean closeAfterWrite;
        private boolean eof;
        private boolean closedYet;
        /** Answered and half-closed; unread input is discarded so that closing does not reset the answer away. */
        private boolean draining;
        /** The operation being answered, for the counters; null for a request that did not parse. */
        private Operation op;
        /** Set once the connection is a watcher: the lines pushed to it, and the line being written. */
        private LiveLines live;
        private java.io.Closeable feed;
        private ByteBuffer liveLine;

        Connection(SocketChannel ch, Peer peer) {
            this.ch = ch;
            this.peer = peer;
        }

        boolean hasOutput() {
            return !out.isEmpty() || stream != null || (live != null && (liveLine != null || !live.isEmpty()));
        }

        private int buffered() {
            return in == null ? 0 : in.position();
        }

        void onReadable() throws IOException {
            if (draining || live != null) {
                // a watcher sends nothing more: what it sends is discarded, its end of input ends the subscription
                ByteBuffer scratch = ByteBuffer.allocate(512);
                if (ch.read(scratch) < 0) close();
                return;
            }
            if (inFlight || closeAfterWrite || hasOutput()) {
                // one request at a time, and no new one while an answer waits to be read: a client that sends
                // without reading stalls itself, not the daemon's memory
                key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
                return;
            }
            if (in == null) in = ByteBuffer.allocate(FIRST_READ_BUFFER);
            else if (!in.hasRemaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.min(in.capacity() * 2, Protocol.MAX_REQUEST_BYTES));
                in.flip();
                bigger.put(in);
                in = bigger;
            }
            int n = ch.read(in);
            if (n < 0) {
                eof = true;
                key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
                if (buffered() == 0) {
                    if (hasOutput()) closeAfterWrite = true;
                    else close();
                    return;
                }
            }
            nextRequest();
        }

        /** Takes the next complete line from the buffer (or the rest, at end of input) and dispatches it. */
        private void nextRequest() {
            if (inFlight || closeAfterWrite || hasOutput() || !ch.isOpen()) return;
            int end = -1;
            int have = buffered();
            for (int i = 0; i < have; i++) {
                if (in.get(i) == '\n') {
                    end = i;
                    break;
                }
            }
            if (end < 0) {
                if (eof && have > 0) {
                    end = have;
                } else {
                    if (have >= Protocol.MAX_REQUEST_BYTES) {
                        fail(ErrorCode.TOO_LARGE, "request longer than " + Protocol.MAX_REQUEST_BYTES + " bytes");
                    }
                    return;
                }
            }
            String line = trimLine(in.array(), end);
            int consumed = Math.min(end + 1, have);
            in.flip();
            in.position(consumed);
            in.compact();
            if (in.position() == 0) in = null;
            lastActivity = System.nanoTime();
            if (line.isEmpty()) {
                nextRequest();
                return;
            }
            Request req;
            try {
                req = Request.parse(line);
            } catch (ProtocolException e) {
                op = null;
                reply(Answer.error(e.code(), e.getMessage()));
                return;
            }
            op = req.op();
            CompletableFuture<Answer> answer;
            if (req.op().changesIntent()) {
                // the uid number and the claimed pid only matter where they are recorded, and finding them reads the
                // user database and /proc: on a worker
                answer = new CompletableFuture<>();
                CompletableFuture<Answer> result = answer;
                offload(() -> handler.handle(req, identity.forControl(peer, req.claimedPid()))
                        .whenComplete((a, err) -> {
                            if (err != null) result.completeExceptionally(err);
                            else result.complete(a);
                        }));
            } else {
                answer = handler.handle(req, peer);
            }
            if (answer.isDone() && !answer.isCompletedExceptionally()) {
                // status and check are answered at once: no trip through the completion queue and a wakeup
                reply(answer.join());
                return;
            }
            inFlight = true;
            answer.whenComplete((resp, err) -> complete(() -> {
                inFlight = false;
                if (err != null) {
                    Logger.error(err, "request {} failed", req.op().wire());
                    reply(Answer.error(ErrorCode.INTERNAL, "internal error: " + err));
                } else {
                    reply(resp);
                }
            }));
        }

        private void reply(Answer answer) {
            if (!ch.isOpen()) {
                closeStream(answer.stream());
                return;
            }
            lastActivity = System.nanoTime();
            if (answer.live() != null) answer = subscribe(answer);
            AnswerStream s = answer.stream();
            if (s != null) {
                boolean full = streams >= limits.maxStreams()
                        || (!peer.mayControl() && unprivilegedStreams >= limits.unprivilegedStreams());
                if (full) {
                    closeStream(s);
                    answer = Answer.error(ErrorCode.BUSY, "too many history and metrics answers are being sent at "
                            + "once; try again");
                } else {
                    stream = s;
                    streamDone = false;
                    streams++;
                    if (!peer.mayControl()) unprivilegedStreams++;
                }
            }
            // counted as answered: a stream refused for want of a slot is a busy answer, not an ok one
            if (op != null) counters.answered(op, answer.result());
            else counters.refused(answer.result());
            op = null;
            if (live == null && (stream != s || s == null)) out.add(ByteBuffer.wrap(answer.bytes()));
            try {
                onWritable();
            } catch (IOException e) {
                close();
            }
        }

        /**
         * Makes this connection a watcher if the caps allow: no more than {@code maxWatchers} in all,
         * {@code perUidWatchers} per unprivileged uid, and unprivileged peers together leave
         * {@code privilegedWatchers} to root and the control group. Returns the answer to send first (the refusal
         * otherwise). A privileged watcher evicts no one: its reserve is its own.
         */
        private Answer subscribe(Answer answer) {
            ConnectionQuota.Verdict v = watcherQuota.judge(peer);
            if (v != ConnectionQuota.Verdict.ADMIT) {
                return Answer.error(ErrorCode.BUSY, v == ConnectionQuota.Verdict.REFUSE_UID_FULL
                        ? "user " + peer.user() + " already has " + limits.perUidWatchers()
                        + " watchers; end one and try again"
                        : "too many watchers (" + limits.maxWatchers() + ", of which " + limits.privilegedWatchers()
                        + " are kept for root and the control group); try again");
            }
            watcherQuota.added(peer);
            watchers.incrementAndGet();
            live = new LiveLines(this);
            try {
                ch.setOption(java.net.StandardSocketOptions.SO_SNDBUF, WATCH_SOCKET_BUFFER);
            } catch (IOException e) {
                // the kernel's default buffer only makes a stuck watcher take longer to reach warden's own bound
                Logger.debug("watcher send buffer: {}", e.getMessage());
            }
            out.add(ByteBuffer.wrap(answer.bytes()));
            feed = answer.live().open(live);
            return answer;
        }

        /** Lines pushed since the last flush (or the end of the feed) go out. */
        private void flushLive() {
            if (closedYet) return;
            try {
                onWritable();
            } catch (IOException e) {
                close();
            }
        }

        void fail(ErrorCode code, String message) {
            counters.refused(code.wire());
            closeAfterWrite = true;
            out.add(ByteBuffer.wrap(Answer.error(code, message).bytes()));
            try {
                onWritable();
            } catch (IOException e) {
                close();
            }
        }

        /** Made room for a privileged peer: told why, then closed. */
        void evict() {
            counters.refused(ErrorCode.BUSY.wire());
            try {
                ch.write(ByteBuffer.wrap(Answer.error(ErrorCode.BUSY,
                        "connection closed to make room for a privileged client").bytes()));
            } catch (IOException e) {
                Logger.debug("evicting a connection: {}", e.getMessage());
            }
            close();
        }

        void onWritable() throws IOException {
            while (true) {
                if (!out.isEmpty()) {
                    ByteBuffer b = out.get(0);
                    if (ch.write(b) > 0) lastActivity = System.nanoTime();
                    if (b.hasRemaining()) {
                        key.interestOps(SelectionKey.OP_WRITE);
                        return;
                    }
                    out.remove(0);
                } else if (stream != null) {
                    if (filling) {
                        key.interestOps(0);
                        return;
                    }
                    if (block != null && block.hasRemaining()) {
                        if (ch.write(block) > 0) lastActivity = System.nanoTime();
                        if (block.hasRemaining()) {
                            key.interestOps(SelectionKey.OP_WRITE);
                            return;
                        }
                    }
                    if (streamDone) {
                        endStream();
                        continue;
                    }
                    fillNext();
                    key.interestOps(0);
                    return;
                } else if (live != null) {
                    if (liveLine == null) {
                        byte[] next = live.poll();
                        if (next == null) break;
                        liveLine = ByteBuffer.wrap(next);
                    }
                    if (ch.write(liveLine) > 0) lastActivity = System.nanoTime();
                    if (liveLine.hasRemaining()) {
                        key.interestOps(SelectionKey.OP_WRITE);
                        return;
                    }
                    liveLine = null;
                } else {
                    break;
                }
            }
            if (live != null) {
                if (!live.ended()) {
                    // nothing to send until the next event; reading shows when the watcher goes away
                    key.interestOps(SelectionKey.OP_READ);
                    return;
                }
                closeAfterWrite = true;
            }
            if (closeAfterWrite && !eof) {
                draining = true;
                lastActivity = System.nanoTime();
                ch.shutdownOutput();
                key.interestOps(SelectionKey.OP_READ);
                return;
            }
            if (closeAfterWrite || (eof && buffered() == 0 && !inFlight)) {
                close();
                return;
            }
            key.interestOps(eof ? 0 : SelectionKey.OP_READ);
            nextRequest();
        }

        /** The next block of the streamed answer, produced on a worker once the client has taken the last one. */
        private void fillNext() {
            if (block == null) block = ByteBuffer.allocate(STREAM_BLOCK);
            block.clear();
            filling = true;
            AnswerStream s = stream;
            ByteBuffer b = block;
            offload(() -> {
                boolean more;
                IOException failure = null;
                try {
                    more = s.fill(b);
                } catch (IOException e) {
                    more = false;
                    failure = e;
                }
                boolean hasMore = more;
                IOException err = failure;
                complete(() -> filled(s, hasMore, err));
            });
        }

        private void filled(AnswerStream s, boolean more, IOException err) {
            filling = false;
            if (stream != s || closedYet) {
                closeStream(s);
                return;
            }
            if (err != null) {
                // part of the answer is out already: an error line cannot follow it, so the answer ends unfinished
                Logger.warn("streamed answer (history, metrics) broken off: {}", err.getMessage());
                close();
                return;
            }
            block.flip();
            streamDone = !more;
            try {
                onWritable();
            } catch (IOException e) {
                close();
            }
        }

        private void endStream() {
            closeStream(stream);
            stream = null;
            block = null;
            streams--;
            if (!peer.mayControl()) unprivilegedStreams--;
        }

        private void closeStream(AnswerStream s) {
            if (s == null) return;
            try {
                s.close();
            } catch (IOException e) {
                Logger.debug("closing a streamed answer: {}", e.getMessage());
            }
        }

        void close() {
            if (closedYet) return;
            closedYet = true;
            if (stream != null) {
                if (filling) {
                    // the worker still fills it: the stream is closed when that fill reports back (filled)
                    streams--;
                    if (!peer.mayControl()) unprivilegedStreams--;
                    stream = null;
                } else {
                    endStream();
                }
            }
            if (live != null) {
                live.end(null);
                watchers.decrementAndGet();
                watcherQuota.removed(peer);
                try {
                    if (feed != null) feed.close();
                } catch (IOException e) {
                    Logger.debug("ending a watch: {}", e.getMessage());
                }
            }
            connections.remove(this);
            quota.removed(peer);
            openConnections.decrementAndGet();
            if (key != null) key.cancel();
            closeQuietly(ch);
        }
    }

    /**
     * A watcher's lines not yet written: filled by the daemon's thread, emptied by the selector thread. At most
     * {@link #WATCH_BUFFER_BYTES}: a line past that is refused, and the feed ends the stream with a line saying why.
     * A flush is scheduled on the selector once per batch, not once per line.
     */
    private final class LiveLines implements LiveFeed.LineSink {
        private final Connection c;
        private final java.util.ArrayDeque<byte[]> lines = new java.util.ArrayDeque<>();
        private int bytes;
        private boolean ended;
        /** When the stream ended (System.nanoTime), read by the selector's idle sweep. */
        private volatile long endedAt;
        private boolean flushScheduled;

        LiveLines(Connection c) {
            this.c = c;
        }

        @Override
        public synchronized boolean offer(byte[] line) {
            if (ended || bytes + line.length > WATCH_BUFFER_BYTES) return false;
            lines.add(line);
            bytes += line.length;
            scheduleFlush();
            return true;
        }

        @Override
        public synchronized void end(byte[] last) {
            if (ended) return;
            ended = true;
            endedAt = System.nanoTime();
            if (last != null) {
                lines.add(last);
                bytes += last.length;
            }
            scheduleFlush();
        }

        private void scheduleFlush() {
            if (flushScheduled) return;
            flushScheduled = true;
            complete(c::flushLive);
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
}
