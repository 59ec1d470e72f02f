package io.warden.cli;

import io.warden.json.Json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A subscription to the daemon's events ({@code watch}, every service) that a command reads at its own pace:
 * the answer, then one event at a time, each wait bounded by the caller and spent in the selector, never in a
 * sleep. Lines the command has not read yet wait in the socket (and, past that, in the daemon's bounded buffer
 * for a watcher: a command that leaves too much unread is dropped with a {@code watch-dropped} line).
 */
final class EventStream implements AutoCloseable {
    /** An event line is one JSON object; warden's largest (boot, with every service's intent) stays far below. */
    private static final int MAX_LINE_BYTES = 1024 * 1024;

    private final SocketChannel ch;
    private final Selector sel;
    private ByteBuffer in = ByteBuffer.allocate(16 * 1024);
    private boolean ended;

    private EventStream(SocketChannel ch, Selector sel) {
        this.ch = ch;
        this.sel = sel;
    }

    /** Connects and sends the subscription; its answer is read by {@link #answer}. */
    static EventStream open(Client client, Deadline deadline) throws CallFailure {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("v", 1L);
        req.put("op", "watch");
        byte[] line = (Json.write(req) + "\n").getBytes(StandardCharsets.UTF_8);
        SocketChannel ch = client.connect(deadline);
        Selector sel = null;
        try {
            sel = Selector.open();
            Client.send(ch, sel, line, deadline);
            return new EventStream(ch, sel);
        } catch (IOException e) {
            closeQuietly(ch, sel);
            if (e instanceof CallFailure f) throw f;
            throw new CallFailure(CallFailure.Stage.UNREACHABLE, "socket: " + e.getMessage());
        }
    }

    /** The answer to the subscription, or null if it has not come by {@code untilNanos} (System.nanoTime). */
    Map<String, Object> answer(long untilNanos) throws CallFailure {
        Map<String, Object> a = next(untilNanos);
        if (a == null && ended) {
            throw new CallFailure(CallFailure.Stage.NO_ANSWER, "the daemon closed the connection without an answer");
        }
        return a;
    }

    /**
     * The next line, or null when none came by {@code untilNanos} or the stream has ended ({@link #ended()}).
     */
    Map<String, Object> next(long untilNanos) throws CallFailure {
        try {
            while (true) {
                int nl = Client.indexOfNewline(in);
                if (nl >= 0) {
                    String line = new String(in.array(), 0, nl, StandardCharsets.UTF_8);
                    in.flip();
                    in.position(nl + 1);
                    in.compact();
                    return Client.parse(line);
                }
                if (ended) return null;
                if (!in.hasRemaining()) grow();
                int n = ch.read(in);
                if (n < 0) {
                    ended = true;
                    continue;
                }
                if (n > 0) continue;
                long left = untilNanos - System.nanoTime();
                if (left <= 0) return null;
                SelectionKey key = ch.keyFor(sel);
                if (key == null) key = ch.register(sel, SelectionKey.OP_READ);
                key.interestOps(SelectionKey.OP_READ);
                sel.select(Math.max(1, (left + 999_999) / 1_000_000));
                sel.selectedKeys().clear();
            }
        } catch (CallFailure f) {
            throw f;
        } catch (IOException e) {
            // a daemon gone while its stream was open: the stream has ended, as it does when warden stops
            ended = true;
            return null;
        }
    }

    private void grow() throws CallFailure {
        if (in.capacity() >= MAX_LINE_BYTES) {
            throw new CallFailure(CallFailure.Stage.NO_ANSWER, "an event line longer than " + MAX_LINE_BYTES + " bytes");
        }
        ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
        in.flip();
        bigger.put(in);
        in = bigger;
    }

    /** The daemon ended the stream (it stopped, or dropped this watcher), and every line before the end was read. */
    boolean ended() {
        return ended && Client.indexOfNewline(in) < 0;
    }

    @Override
    public void close() {
        closeQuietly(ch, sel);
    }

    private static void closeQuietly(SocketChannel ch, Selector sel) {
        try {
            if (sel != null) sel.close();
            ch.close();
        } catch (IOException e) {
            // a subscription that only fed this command's wait: nothing is lost with it
        }
    }
}
