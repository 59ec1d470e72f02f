package io.warden.cli;

/** Exit codes of the command line, as documented in the README (the systemctl/LSB convention for status). */
public final class ExitCode {
    /** Success; for {@code status}: the gateway is up; for {@code check}: healthy. */
    public static final int OK = 0;
    /** Not converged within --timeout (the intent is recorded); for {@code check}: not healthy. */
    public static final int NOT_CONVERGED = 1;
    /** Unknown command, bad flag or bad value. */
    public static final int USAGE = 2;
    /** {@code status}: the gateway is not up (down, starting, stopping, backoff, failed). */
    public static final int NOT_UP = 3;
    /** warden unreachable, or the gateway's state unknown. */
    public static final int UNREACHABLE = 4;
    /** Refused: the caller may not change intent, or the intent could not be recorded. */
    public static final int REFUSED = 5;
    /**
     * {@code start|stop|restart}: the request was sent but no answer came (within --timeout, or before the
     * connection closed): it may still be carried out. 6 to 8 are the daemon's own exit codes.
     */
    public static final int OUTCOME_UNKNOWN = 9;

    private ExitCode() {
    }
}
