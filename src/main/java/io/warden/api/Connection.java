package io.warden.api;

import org.tinylog.Logger;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;

import static io.warden.api.ConnectionPhase.*;

/**
 * One client connection, driven by the selector thread alone through the phases of {@link ConnectionPhase}:
 * request lines in, one answer each out (whole, in blocks, or as a watch's stream of lines).
 */
final class Connection {
    private final SocketChannel ch;
    private final ServerSide server;
    private Peer peer;
    private ConnectionPhase phase = IDENTIFYING;
    private SelectionKey key;
    private final RequestReader requests = new RequestReader();
    /** At most one whole answer (and a final error) waits here: one request is served at a time. */
    private final ArrayList<ByteBuffer> out = new ArrayList<>(1);
    private AnswerBlocks blocks;
    private long lastActivity;
    /** The peer half-closed: what it sent before is still answered. */
    private boolean inputEnded;
    /** The operation being answered, for the counters; null for a request that did not parse. */
    private Operation op;
    /** Set once the connection is a watcher: the lines pushed to it, the feed, and the line being written. */
    private WatchBuffer watch;
    private Closeable feed;
    private ByteBuffer watchLine;

    Connection(SocketChannel ch, ServerSide server) {
        this.ch = ch;
        this.server = server;
    }

    /** The peer is known and has a slot: requests are read from now on. */
    void admitted(Peer who, Selector selector) throws IOException {
        key = ch.register(selector, SelectionKey.OP_READ, this);
        peer = who;
        phase = READING;
        lastActivity = now();
    }

    Peer peer() {
        return peer;
    }

    ConnectionPhase phase() {
        return phase;
    }

    private long now() {
        return server.nanos().getAsLong();
    }

    /** Time since bytes last moved; for a watch that ended, since the later of that and its end. */
    long quietNanos(long now) {
        long last = watch == null ? lastActivity : Math.max(lastActivity, watch.endedAt());
        return now - last;
    }

    boolean watchOpen() {
        return watch != null && !watch.ended();
    }

    boolean workPending() {
        return phase == HANDLING || (blocks != null && blocks.filling());
    }

    boolean hasOutput() {
        return !out.isEmpty() || blocks != null || (watch != null && (watchLine != null || !watch.isEmpty()));
    }

    void onReadable() throws IOException {
        if (phase.discardsInput()) {
            // a watcher sends nothing more: what it sends is discarded, its end of input ends the subscription
            ByteBuffer scratch = ByteBuffer.allocate(512);
            if (ch.read(scratch) < 0) close();
            return;
        }
        if (!phase.takesRequests() || hasOutput()) {
            key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
            return;
        }
        if (requests.read(ch) < 0) {
            inputEnded = true;
            key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
            if (requests.buffered() == 0) {
                close();
                return;
            }
        }
        nextRequest();
    }

    /** Takes the next complete line (or the rest, at end of input) and dispatches it. */
    private void nextRequest() {
        if (!phase.takesRequests() || hasOutput() || !ch.isOpen()) return;
        while (true) {
            String line = requests.next(inputEnded);
            if (line == null) {
                if (requests.overlong()) {
                    fail(ErrorCode.TOO_LARGE, "request longer than " + Protocol.MAX_REQUEST_BYTES + " bytes");
                }
                return;
            }
            lastActivity = now();
            if (!line.isEmpty()) {
                dispatch(line);
                return;
            }
        }
    }

    private void dispatch(String line) {
        Request req;
        try {
            req = Request.parse(line);
        } catch (ProtocolException e) {
            op = null;
            reply(Answer.error(e.code(), e.getMessage()));
            return;
        }
        op = req.op();
        CompletableFuture<Answer> answer = server.handle(req, peer);
        if (answer.isDone() && !answer.isCompletedExceptionally()) {
            // status and check are answered at once: no trip through the completion queue and a wakeup
            reply(answer.join());
            return;
        }
        phase = HANDLING;
        answer.whenComplete((resp, err) -> server.threads().complete(() -> {
            if (err != null) {
                Logger.error(err, "request {} failed", req.op().wire());
                reply(Answer.error(ErrorCode.INTERNAL, "internal error: " + err));
            } else {
                reply(resp);
            }
        }));
    }

    private void reply(Answer answer) {
        if (phase == CLOSED) {
            AnswerBlocks.close(answer.stream());
            return;
        }
        lastActivity = now();
        phase = ANSWERING;
        if (answer.live() != null) {
            Answer refused = subscribe(answer);
            if (refused != null) answer = refused;
        }
        AnswerStream s = answer.stream();
        if (s != null) {
            if (server.admission().stream(peer)) {
                blocks = new AnswerBlocks(s);
            } else {
                AnswerBlocks.close(s);
                answer = Answer.error(ErrorCode.BUSY, "too many history and metrics answers are being sent at "
                        + "once; try again");
            }
        }
        // counted as answered: a stream refused for want of a slot is a busy answer, not an ok one
        if (op != null) server.counters().answered(op, answer.result());
        else server.counters().refused(answer.result());
        op = null;
        // a subscription queued its answer itself, before its first line; a stream sends its own bytes
        if (phase != WATCHING && answer.stream() == null) out.add(ByteBuffer.wrap(answer.bytes()));
        flush();
    }

    /** Makes this connection a watcher if a watcher slot is free; returns the refusal otherwise. */
    private Answer subscribe(Answer answer) {
        String refusal = server.admission().watch(peer);
        if (refusal != null) return Answer.error(ErrorCode.BUSY, refusal);
        watch = new WatchBuffer(() -> server.threads().complete(this::flush), server.nanos());
        try {
            ch.setOption(StandardSocketOptions.SO_SNDBUF, WatchBuffer.SOCKET_BUFFER);
        } catch (IOException e) {
            // the kernel's default buffer only makes a stuck watcher take longer to reach warden's own bound
            Logger.debug("watcher send buffer: {}", e.getMessage());
        }
        out.add(ByteBuffer.wrap(answer.bytes()));
        phase = WATCHING;
        feed = answer.live().open(watch);
        return null;
    }

    /** What is queued goes out as far as the socket takes it. */
    private void flush() {
        if (phase == CLOSED) return;
        try {
            onWritable();
        } catch (IOException e) {
            close();
        }
    }

    /** Answered with an error, then closed: the request was too large or did not come in time. */
    void fail(ErrorCode code, String message) {
        server.counters().refused(code.wire());
        phase = CLOSING;
        out.add(ByteBuffer.wrap(Answer.error(code, message).bytes()));
        flush();
    }

    /** Made room for a privileged peer: told why, then closed. */
    void evict() {
        server.counters().refused(ErrorCode.BUSY.wire());
        try {
            ch.write(ByteBuffer.wrap(Answer.error(ErrorCode.BUSY,
                    "connection closed to make room for a privileged client").bytes()));
        } catch (IOException e) {
            Logger.debug("evicting a connection: {}", e.getMessage());
        }
        close();
    }

    private boolean write(ByteBuffer b) throws IOException {
        if (ch.write(b) > 0) lastActivity = now();
        return !b.hasRemaining();
    }

    void onWritable() throws IOException {
        if (phase == HANDLING || phase == CLOSED) return;
        if (phase == DRAINING) {
            key.interestOps(SelectionKey.OP_READ);
            return;
        }
        while (true) {
            if (!out.isEmpty()) {
                if (!write(out.get(0))) {
                    key.interestOps(SelectionKey.OP_WRITE);
                    return;
                }
                out.remove(0);
            } else if (blocks != null) {
                AnswerBlocks.Progress p = blocks.send(this::write, server.threads(), this::filled);
                if (p != AnswerBlocks.Progress.DONE) {
                    key.interestOps(p == AnswerBlocks.Progress.SOCKET_FULL ? SelectionKey.OP_WRITE : 0);
                    return;
                }
                blocks = null;
                server.admission().streamEnded(peer);
            } else if (phase == WATCHING) {
                if (watchLine == null) {
                    byte[] next = watch.poll();
                    if (next == null) break;
                    watchLine = ByteBuffer.wrap(next);
                }
                if (!write(watchLine)) {
                    key.interestOps(SelectionKey.OP_WRITE);
                    return;
                }
                watchLine = null;
            } else {
                break;
            }
        }
        if (phase == WATCHING) {
            if (!watch.ended()) {
                // nothing to send until the next event; reading shows when the watcher goes away
                key.interestOps(SelectionKey.OP_READ);
                return;
            }
            phase = CLOSING;
        }
        if (phase == CLOSING) {
            if (inputEnded) {
                close();
                return;
            }
            phase = DRAINING;
            lastActivity = now();
            ch.shutdownOutput();
            key.interestOps(SelectionKey.OP_READ);
            return;
        }
        if (inputEnded && requests.buffered() == 0) {
            close();
            return;
        }
        phase = READING;
        key.interestOps(inputEnded ? 0 : SelectionKey.OP_READ);
        nextRequest();
    }

    /** A block of the streamed answer is back from its worker. */
    private void filled(AnswerBlocks b, IOException failure) {
        if (blocks != b || phase == CLOSED) {
            b.close();
            return;
        }
        if (failure != null) {
            // part of the answer is out already: an error line cannot follow it, so the answer ends unfinished
            Logger.warn("streamed answer (history, metrics) broken off: {}", failure.getMessage());
            close();
            return;
        }
        flush();
    }

    void close() {
        if (phase == CLOSED) return;
        boolean admitted = phase != IDENTIFYING;
        phase = CLOSED;
        if (blocks != null) {
            // a block still being filled is closed when that fill reports back (filled)
            if (!blocks.filling()) blocks.close();
            blocks = null;
            server.admission().streamEnded(peer);
        }
        if (watch != null) {
            watch.end(null);
            server.admission().watchEnded(peer);
            try {
                if (feed != null) feed.close();
            } catch (IOException e) {
                Logger.debug("ending a watch: {}", e.getMessage());
            }
        }
        if (admitted) {
            server.closed().accept(this);
            server.admission().released(peer);
        }
        if (key != null) key.cancel();
        closeQuietly(ch);
    }

    static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            Logger.debug("closing a client connection: {}", e.getMessage());
        }
    }
}
