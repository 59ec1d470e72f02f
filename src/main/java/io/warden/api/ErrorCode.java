package io.warden.api;

/** The {@code error.code} values of an answer with {@code "ok":false}. */
public enum ErrorCode {
    BAD_REQUEST("bad-request"),
    UNKNOWN_OP("unknown-op"),
    UNSUPPORTED_VERSION("unsupported-version"),
    TOO_LARGE("too-large"),
    TIMEOUT("timeout"),
    BUSY("busy"),
    FORBIDDEN("forbidden"),
    SHUTTING_DOWN("shutting-down"),
    STATE_WRITE_FAILED("state-write-failed"),
    INTERNAL("internal");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
