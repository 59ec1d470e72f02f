package io.warden.cli;

import java.io.IOException;

/**
 * A request that got no answer, and how far it went: the command line's words depend on it. Before the request
 * left, nothing can have changed; once it was sent, the daemon may still carry it out.
 */
final class CallFailure extends IOException {
    private static final long serialVersionUID = 1L;

    /** How far the request went. */
    enum Stage {
        /** No daemon: the socket is missing or refuses connections. Nothing was sent. */
        NOT_RUNNING,
        /** The socket exists but did not take the connection or the request (in time, or at all). Nothing was sent. */
        UNREACHABLE,
        /** The request was sent; no answer came (in time, or before the connection closed). */
        NO_ANSWER
    }

    private final Stage stage;

    CallFailure(Stage stage, String message) {
        super(message);
        this.stage = stage;
    }

    Stage stage() {
        return stage;
    }

    /** Whether the daemon may have received the request (so it may still act on it). */
    boolean requestSent() {
        return stage == Stage.NO_ANSWER;
    }
}
