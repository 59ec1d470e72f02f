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
    private final LiveFeed live;
    /** {@code ok}, or the error code: what the metrics count. */
    private final String result;

    private Answer(byte[] line, AnswerStream stream, LiveFeed live, String result) {
        this.line = line;
        this.stream = stream;
        this.live = live;
        this.result = result;
    }

    /** An answer produced block by block as the client reads it (see {@link AnswerStream}). */
    public static Answer streamed(AnswerStream stream) {
        return new Answer(null, stream, null, "ok");
    }

    /**
     * A subscription: {@code first} is the answer line, then the feed's lines follow as they come, until the feed
     * or the daemon ends it (see {@link LiveFeed}).
     */
    public static Answer live(Map<String, Object> first, LiveFeed feed) {
        return new Answer(Protocol.line(first).getBytes(StandardCharsets.UTF_8), null, feed, "ok");
    }

    /** Null unless this is a subscription. */
    LiveFeed live() {
        return live;
    }

    String result() {
        return result;
    }

    /** Null for an answer held whole. */
    AnswerStream stream() {
        return stream;
    }

    @SuppressWarnings("unchecked")
    public static Answer of(Map<String, Object> response) {
        String result = "ok";
        if (!Boolean.TRUE.equals(response.get("ok")) && response.get("error") instanceof Map) {
            result = String.valueOf(((Map<String, Object>) response.get("error")).get("code"));
        }
        return new Answer(Protocol.line(response).getBytes(StandardCharsets.UTF_8), null, null, result);
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
