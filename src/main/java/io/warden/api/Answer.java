package io.warden.api;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One answer line, already encoded. The status answer is encoded once per change of state and then sent as the
 * same bytes to every client that asks, so a flood of {@code status} requests costs no JSON work.
 */
public final class Answer {
    private final byte[] line;
    private final AnswerStream stream;

    private Answer(byte[] line, AnswerStream stream) {
        this.line = line;
        this.stream = stream;
    }

    /** An answer produced block by block as the client reads it (see {@link AnswerStream}). */
    public static Answer streamed(AnswerStream stream) {
        return new Answer(null, stream);
    }

    /** Null for an answer held whole. */
    AnswerStream stream() {
        return stream;
    }

    public static Answer of(Map<String, Object> response) {
        return new Answer(Protocol.line(response).getBytes(StandardCharsets.UTF_8), null);
    }

    public static Answer error(ErrorCode code, String message) {
        return of(Protocol.error(code, message));
    }

    /** The bytes to send; shared between clients, so never written to. */
    byte[] bytes() {
        return line;
    }

    @Override
    public String toString() {
        return line == null ? "(streamed answer)" : new String(line, StandardCharsets.UTF_8).trim();
    }
}
