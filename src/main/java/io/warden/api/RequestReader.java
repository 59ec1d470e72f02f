package io.warden.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of a connection's next request lines: allocated when bytes arrive (256 bytes, grown up to the
 * request bound), dropped when empty, so an idle connection holds no buffer.
 */
final class RequestReader {
    private static final int FIRST_READ_BUFFER = 256;

    private ByteBuffer in;

    /** Reads what the peer sent; -1 at the end of its input. */
    int read(SocketChannel ch) throws IOException {
        if (in == null) in = ByteBuffer.allocate(FIRST_READ_BUFFER);
        else if (!in.hasRemaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(in.capacity() * 2, Protocol.MAX_REQUEST_BYTES));
            in.flip();
            bigger.put(in);
            in = bigger;
        }
        return ch.read(in);
    }

    int buffered() {
        return in == null ? 0 : in.position();
    }

    /** No newline within the request bound: the request is too large. */
    boolean overlong() {
        return buffered() >= Protocol.MAX_REQUEST_BYTES && newline() < 0;
    }

    /**
     * The next line, trimmed, taken out of the buffer; at the end of input ({@code inputEnded}) the rest counts as
     * a line. Null when no complete line waits.
     */
    String next(boolean inputEnded) {
        int have = buffered();
        int end = newline();
        if (end < 0) {
            if (!inputEnded || have == 0) return null;
            end = have;
        }
        String line = trimLine(in.array(), end);
        int consumed = Math.min(end + 1, have);
        in.flip();
        in.position(consumed);
        in.compact();
        if (in.position() == 0) in = null;
        return line;
    }

    private int newline() {
        int have = buffered();
        for (int i = 0; i < have; i++) {
            if (in.get(i) == '\n') return i;
        }
        return -1;
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
}
