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
    /** The request names a service warden does not keep; the message lists those it keeps. */
    UNKNOWN_SERVICE("unknown-service"),
    /** The service's template is gone from the image: it is kept and reported, never run. */
    TEMPLATE_MISSING("template-missing"),
    /** {@code remove} of a plain service: only instances can be removed. */
    NOT_REMOVABLE("not-removable"),
    /** A start that would create one more service than warden may keep (WARDEN_MAX_SERVICES, s6-svscan's room). */
    TOO_MANY_SERVICES("too-many-services"),
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
