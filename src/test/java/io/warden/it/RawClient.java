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
        ch.connect(UnixDomainSocketAddress.of(socket));
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

    /** The next answer line, or null when the daemon closed the connection first. */
    public String readLine() throws IOException {
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
            if (ch.read(in) < 0) return null;
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
