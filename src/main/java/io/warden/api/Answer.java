package io.warden.api;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One answer line, already encoded. The status answer is encoded once per change of state and then sent as the
 * same bytes to every client that asks, so a flood of {@code status} requests costs no JSON work.
 */
public final class Answer {
    private final byte[] line;

    private Answer(byte[] line) {
        this.line = line;
    }

    public static Answer of(Map<String, Object> response) {
        return new Answer(Protocol.line(response).getBytes(StandardCharsets.UTF_8));
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
        return new String(line, StandardCharsets.UTF_8).trim();
    }
}
