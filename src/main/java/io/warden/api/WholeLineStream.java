package io.warden.api;

import org.tinylog.Logger;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A large answer (metrics with many services) made whole, but only once a streamed-answer slot is its own and on a
 * worker thread (the first {@link #fill}), then handed to the socket a block at a time. So however many clients
 * ask without reading, no more answers of this kind are made and held than the cap on streamed answers allows,
 * and a request refused for want of a slot costs no rendering at all.
 */
final class WholeLineStream implements AnswerStream {
    private final Supplier<Map<String, Object>> response;
    private byte[] line;
    private int offset;

    WholeLineStream(Supplier<Map<String, Object>> response) {
        this.response = response;
    }

    @Override
    public boolean fill(ByteBuffer buf) {
        if (line == null) line = Protocol.line(make()).getBytes(StandardCharsets.UTF_8);
        int n = Math.min(buf.remaining(), line.length - offset);
        buf.put(line, offset, n);
        offset += n;
        return offset < line.length;
    }

    /** A defect in making the answer is this answer's error, not the server's: nothing has been sent yet. */
    private Map<String, Object> make() {
        try {
            return response.get();
        } catch (RuntimeException e) {
            Logger.error(e, "making an answer failed: {}", e.toString());
            return Protocol.error(ErrorCode.INTERNAL, "internal error: " + e);
        }
    }

    @Override
    public void close() {
        line = null;
    }
}
