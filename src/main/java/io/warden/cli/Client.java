package io.warden.cli;

import io.warden.json.Json;
import io.warden.json.JsonException;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** One request, one answer, over the daemon's socket with the JDK's own unix-domain channels (no native code). */
public final class Client {
    private static final int MAX_ANSWER_BYTES = 8 * 1024 * 1024;

    private final Path socket;
    private final long timeoutMillis;

    public Client(Path socket, long timeoutMillis) {
        this.socket = socket;
        this.timeoutMillis = timeoutMillis;
    }

    public Path socket() {
        return socket;
    }

    /** Sends {@code op} with extra members; returns the parsed answer (ok or error). */
    public Map<String, Object> call(String op, Map<String, Object> extra) throws IOException {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("v", 1L);
        req.put("op", op);
        req.put("pid", ProcessHandle.current().pid());
        req.putAll(extra);
        byte[] line = (Json.write(req) + "\n").getBytes(StandardCharsets.UTF_8);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap(line);
            while (out.hasRemaining()) ch.write(out);
            ch.configureBlocking(false);
            try (Selector sel = Selector.open()) {
                ch.register(sel, SelectionKey.OP_READ);
                long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
                ByteBuffer in = ByteBuffer.allocate(16 * 1024);
                while (true) {
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (left <= 0) throw new IOException("no answer from " + socket + " within " + timeoutMillis + " ms");
                    sel.select(left);
                    sel.selectedKeys().clear();
                    int n = ch.read(in);
                    int nl = indexOfNewline(in);
                    if (nl >= 0) return parse(new String(in.array(), 0, nl, StandardCharsets.UTF_8));
                    if (n < 0) throw new IOException("the daemon closed the connection without an answer");
                    if (!in.hasRemaining()) {
                        if (in.capacity() >= MAX_ANSWER_BYTES) throw new IOException("answer too large");
                        ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
                        in.flip();
                        bigger.put(in);
                        in = bigger;
                    }
                }
            }
        }
    }

    private static int indexOfNewline(ByteBuffer b) {
        for (int i = 0; i < b.position(); i++) {
            if (b.get(i) == '\n') return i;
        }
        return -1;
    }

    private static Map<String, Object> parse(String line) throws IOException {
        try {
            return Json.parseObject(line);
        } catch (JsonException e) {
            throw new IOException("the daemon's answer is not valid JSON: " + e.getMessage());
        }
    }
}
