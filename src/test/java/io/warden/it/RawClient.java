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
import java.util.Map;

/** A bare protocol client: bytes in, one line out, nothing of warden's own client code. */
final class RawClient implements AutoCloseable {
    private final SocketChannel ch;
    private final ByteBuffer in = ByteBuffer.allocate(1 << 20);

    RawClient(Path socket) throws IOException {
        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
    }

    RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    RawClient send(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) ch.write(b);
        return this;
    }

    void halfClose() throws IOException {
        ch.shutdownOutput();
    }

    /** The next answer line, or null if the daemon closed the connection first. */
    String readLine() throws IOException {
        while (true) {
            for (int i = 0; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    String line = new String(in.array(), 0, i, StandardCharsets.UTF_8);
                    in.flip();
                    in.position(i + 1);
                    in.compact();
                    return line;
                }
            }
            if (ch.read(in) < 0) return null;
        }
    }

    Map<String, Object> answer() throws IOException {
        String line = readLine();
        if (line == null) throw new IOException("connection closed without an answer");
        try {
            return Json.parseObject(line);
        } catch (JsonException e) {
            throw new AssertionError("answer is not one JSON object: " + line, e);
        }
    }

    /** True when the daemon has closed its side (read returns end of stream). */
    boolean closedByPeer() throws IOException {
        return readLine() == null;
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }

    @SuppressWarnings("unchecked")
    static String errorCode(Map<String, Object> answer) {
        Map<String, Object> e = (Map<String, Object>) answer.get("error");
        return e == null ? null : (String) e.get("code");
    }
}
