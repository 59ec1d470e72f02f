package io.warden.it;

import io.warden.json.Json;
import io.warden.json.JsonException;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** A bare protocol client for the socket tests: bytes in, lines out, none of warden's own client code. */
public final class RawClient implements AutoCloseable {
    private final SocketChannel ch;
    private ByteBuffer in = ByteBuffer.allocate(1 << 16);

    public RawClient(Path socket) throws IOException {
        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    public SocketChannel channel() {
        return ch;
    }

    public RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    public RawClient send(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) ch.write(b);
        return this;
    }

    public void halfClose() throws IOException {
        ch.shutdownOutput();
    }

    /** How long a read waits by default: longer than anything the daemon may take, short of a hang. */
    public static final Duration READ_DEADLINE = Duration.ofSeconds(30);

    /** No answer (nor a close) within the deadline: the daemon hangs or holds the connection open. */
    public static final class NoAnswerInTime extends IOException {
        NoAnswerInTime(Duration d) {
            super("no answer within " + d.toMillis() + " ms");
        }
    }

    /** The next answer line, or null when the daemon closed the connection first; waits at most 30 s. */
    public String readLine() throws IOException {
        return readLine(READ_DEADLINE);
    }

    /** The next answer line, or null when the daemon closed the connection first; {@link NoAnswerInTime} after {@code deadline}. */
    public String readLine(Duration deadline) throws IOException {
        long until = System.nanoTime() + deadline.toNanos();
        int scanned = 0;
        while (true) {
            for (int i = scanned; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    String line = new String(in.array(), 0, i, StandardCharsets.UTF_8);
                    in.flip();
                    in.position(i + 1);
                    in.compact();
                    return line;
                }
            }
            scanned = in.position();
            if (!in.hasRemaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
                in.flip();
                bigger.put(in);
                in = bigger;
            }
            if (readSome(until, deadline) < 0) return null;
        }
    }

    private int readSome(long until, Duration deadline) throws IOException {
        ch.configureBlocking(false);
        try (java.nio.channels.Selector sel = java.nio.channels.Selector.open()) {
            ch.register(sel, java.nio.channels.SelectionKey.OP_READ);
            while (true) {
                int n = ch.read(in);
                if (n != 0) return n;
                long left = (until - System.nanoTime()) / 1_000_000;
                if (left <= 0) throw new NoAnswerInTime(deadline);
                sel.select(left);
            }
        } finally {
            deregisterAndBlock();
        }
    }

    private void deregisterAndBlock() throws IOException {
        // the selector is closed: its key is gone once the channel notices, then it may block again
        for (int i = 0; i < 100 && ch.isRegistered(); i++) Thread.onSpinWait();
        if (!ch.isRegistered() && ch.isOpen()) ch.configureBlocking(true);
    }

    /**
     * Waits until the daemon has closed its side without reading anything: a write (an empty line, which the
     * daemon passes over) fails once the connection is gone. Writes never block here, so a full buffer only
     * means "not yet". False when the connection is still open after {@code deadline}.
     */
    public boolean awaitClosedByDaemon(Duration deadline) throws IOException, InterruptedException {
        long until = System.nanoTime() + deadline.toNanos();
        ch.configureBlocking(false);
        try {
            while (System.nanoTime() < until) {
                try {
                    ch.write(ByteBuffer.wrap(new byte[] {'\n'}));
                } catch (IOException gone) {
                    return true;
                }
                Thread.sleep(100);
            }
            return false;
        } finally {
            if (ch.isOpen()) ch.configureBlocking(true);
        }
    }

    /** One answer, parsed; fails when it is not exactly one JSON object with an "ok" boolean. */
    public Map<String, Object> answer() throws IOException {
        String line = readLine();
        if (line == null) throw new IOException("connection closed without an answer");
        return parseAnswer(line);
    }

    public static Map<String, Object> parseAnswer(String line) {
        Map<String, Object> m;
        try {
            m = Json.parseObject(line);
        } catch (JsonException e) {
            throw new AssertionError("answer is not one JSON object: " + line, e);
        }
        if (!(m.get("ok") instanceof Boolean)) throw new AssertionError("answer without an \"ok\" boolean: " + line);
        return m;
    }

    /** True when the daemon has closed its side (read returns end of stream). */
    public boolean closedByPeer() throws IOException {
        return readLine() == null;
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }

    @SuppressWarnings("unchecked")
    public static String errorCode(Map<String, Object> answer) {
        Map<String, Object> e = (Map<String, Object>) answer.get("error");
        return e == null ? null : (String) e.get("code");
    }

    /** One status request on a fresh connection; the result document. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> status(Path socket) throws IOException {
        try (RawClient w = new RawClient(socket)) {
            Map<String, Object> a = w.send("{\"v\":1,\"op\":\"status\"}\n").answer();
            if (!Boolean.TRUE.equals(a.get("ok"))) throw new IOException("status refused: " + a);
            return (Map<String, Object>) a.get("result");
        }
    }

    /** Waits until status (over the socket) reports {@code observed}; returns that status. */
    public static Map<String, Object> awaitObserved(Path socket, String observed, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = status(socket);
                if (observed.equals(last.get("observed"))) return last;
            } catch (IOException e) {
                last = Map.of("error", e.toString());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for observed=" + observed + "; last " + last);
    }
}
